require "body";
if body :content ["/plain", "text/", "text/plain/x"] :contains "" {
  redirect "wrong@example.net";
}
if body :content "" :contains "gate B12" {
  redirect "all-types@example.net";
}
