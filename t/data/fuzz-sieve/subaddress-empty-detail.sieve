require ["subaddress"];
if address :detail :is "to" "" {
  redirect "empty-detail@example.net";
}
if address :user :is "to" "list" {
  redirect "user@example.net";
}
