if header :contains "subject" "REPORT" {
  redirect "contains@example.net";
}
if header :contains "subject" "annual" {
  redirect "wrong@example.net";
}
