if header :regex "subject" "^Q" {
  discard;
}
