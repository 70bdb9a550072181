if address :is "from" "alice@example.com" {
  redirect "all@example.net";
}
if address :contains "from" "Alice Example" {
  redirect "wrong@example.net";
}
