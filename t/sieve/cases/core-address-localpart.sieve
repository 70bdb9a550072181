if address :localpart :is "from" "alice" {
  redirect "local@example.net";
}
