require ["regex"];
if header :regex "x-count" ["^1[0-9]{2}$", "^nope"] {
  redirect "hundred@example.net";
}
if header :regex "x-empty" "^$" {
  redirect "empty@example.net";
}
