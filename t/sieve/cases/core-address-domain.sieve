if address :domain :is "cc" "example.org" {
  redirect "domain@example.net";
}
