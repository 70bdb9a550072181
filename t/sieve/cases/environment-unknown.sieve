require ["environment"];
if environment :contains "x-no-such-item" "" {
  redirect "wrong@example.net";
}
if not environment :matches "vnd.example.nothing" "*" {
  redirect "fails@example.net";
}
