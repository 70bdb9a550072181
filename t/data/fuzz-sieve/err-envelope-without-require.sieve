if envelope :is "from" "a@example.com" {
  discard;
}
