if header :is "X-Empty" "" {
  redirect "empty@example.net";
}
