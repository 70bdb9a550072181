if header :contains ["From"] ["alice"] {
  redirect "alice-mail@example.net";
}
