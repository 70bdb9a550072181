if header :contains "subject" "" {
  redirect "present@example.net";
}
if header :contains "x-no-such-header" "" {
  redirect "absent@example.net";
}
