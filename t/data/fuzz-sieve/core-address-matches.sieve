if address :matches :domain "from" "*.com" {
  redirect "dotcom@example.net";
}
