if address :is "to" "carol@example.net" {
  redirect "second@example.net";
}
if address :domain :is ["to", "cc"] "example.net" {
  redirect "any@example.net";
}
