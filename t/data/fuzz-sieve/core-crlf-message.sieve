if header :is "subject" "CRLF message" {
  redirect "crlf@example.net";
}
if address :domain :is "from" "example.com" {
  redirect "from@example.net";
}
