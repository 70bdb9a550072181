if address :contains "subject" "report" {
  discard;
}
