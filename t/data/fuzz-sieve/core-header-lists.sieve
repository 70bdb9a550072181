if header :contains ["X-Nope", "Cc", "To"] ["zzz", "dave@example.org"] {
  redirect "lists@example.net";
}
