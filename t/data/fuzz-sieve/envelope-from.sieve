require "envelope";
if envelope :is "from" "alice@example.com" {
  redirect "is@example.net";
}
if envelope :domain :is "from" "EXAMPLE.COM" {
  redirect "domain@example.net";
}
if envelope :localpart :matches "to" "b*" {
  redirect "to-local@example.net";
}
