if body :contains "x" {
  discard;
}
