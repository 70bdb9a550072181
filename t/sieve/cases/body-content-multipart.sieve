require "body";
if body :content "multipart" :contains "multi-part message" {
  redirect "prologue@example.net";
}
if body :content "multipart" :contains "harbour" {
  redirect "wrong@example.net";
}
