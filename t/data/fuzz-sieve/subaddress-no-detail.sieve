require ["subaddress"];
if address :detail :matches "from" "*" {
  redirect "wrong@example.net";
}
if address :user :is "from" "alice" {
  redirect "user@example.net";
}
