require ["ihave"];
if ihave "x-no-such-extension" {
  frobnicate "anything" :goes 12;
} else {
  redirect "fallback@example.net";
}
