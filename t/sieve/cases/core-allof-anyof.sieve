if allof (exists "from", header :contains "subject" "report", not false) {
  redirect "allof@example.net";
}
if anyof (false, header :is "subject" "nope", exists "x-mailer") {
  redirect "anyof@example.net";
}
if allof (true, false) {
  redirect "wrong@example.net";
}
if anyof (false, false) {
  redirect "wrong2@example.net";
}
