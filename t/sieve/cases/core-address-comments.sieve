if address :is "from" "alice@example.com" {
  redirect "comment-stripped@example.net";
}
if address :is "to" "carol@example.net" {
  redirect "after-quoted-comma@example.net";
}
if address :is "cc" "dave@example.org" {
  redirect "angle-only@example.net";
}
if address :localpart :is "reply-to" "erin" {
  redirect "after-empty-group@example.net";
}
