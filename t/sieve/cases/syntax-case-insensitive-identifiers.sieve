IF HEADER :CONTAINS "subject" "report" {
  Redirect "upper@example.net";
}
