if header :is "subject" "Grüße aus München" {
  redirect "decoded@example.net";
}
if header :contains "subject" "=?UTF-8?" {
  redirect "raw@example.net";
}
