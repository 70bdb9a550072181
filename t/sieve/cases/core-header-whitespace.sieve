if header :is "x-spam-level" "" {
  redirect "empty-level@example.net";
}
if header :is "subject" "Lunch?" {
  redirect "no-leading-space@example.net";
}
