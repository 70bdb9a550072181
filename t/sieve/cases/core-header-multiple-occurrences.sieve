if header :is "X-Count" "7" {
  redirect "second@example.net";
}
