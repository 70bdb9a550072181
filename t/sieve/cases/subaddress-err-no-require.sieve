if address :user "to" "x" {
  discard;
}
