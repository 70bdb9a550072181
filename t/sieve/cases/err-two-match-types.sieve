if header :is :contains "subject" "x" {
  discard;
}
