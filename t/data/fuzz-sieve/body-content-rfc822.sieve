require "body";
if body :content "message/rfc822" :contains "Forwarded itinerary" {
  redirect "nested-header@example.net";
}
if body :content "message/rfc822" :contains "gate B12" {
  redirect "wrong@example.net";
}
if body :content "text/plain" :contains "gate B12" {
  redirect "nested-body@example.net";
}
