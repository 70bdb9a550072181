require "envelope";
if envelope :is "from" "" {
  redirect "null-sender@example.net";
}
if envelope :matches :domain "from" "?*" {
  redirect "has-domain@example.net";
}
