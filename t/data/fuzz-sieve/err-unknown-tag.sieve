if header :regexp "subject" "x" {
  discard;
}
