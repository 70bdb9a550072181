if header :contains ["subject"] ["report"] {
  redirect "list@example.net";
}
