if address :localpart :domain "from" "x" {
  discard;
}
