if address :is "cc" "judy@example.org" {
  redirect "group-member@example.net";
}
if address :localpart :is "cc" "trent" {
  redirect "after-group@example.net";
}
if address :is "to" "undisclosed-recipients" {
  redirect "wrong@example.net";
}
