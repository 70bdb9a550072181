if header :is "X-MAILER" "example mailer 2.1" {
  discard;
}
