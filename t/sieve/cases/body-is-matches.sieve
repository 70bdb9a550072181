require "body";
if body :matches "*revenue is up*FRIDAY*" {
  redirect "matches@example.net";
}
if body :is "Hello" {
  redirect "wrong@example.net";
}
