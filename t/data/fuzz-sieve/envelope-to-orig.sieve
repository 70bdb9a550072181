require "envelope";
if envelope :is "to" "bob@example.org" {
  redirect "orig@example.net";
}
if envelope :is "to" "bob@mail.example.org" {
  redirect "final@example.net";
}
