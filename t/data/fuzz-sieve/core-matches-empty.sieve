if header :matches "X-Empty" "*" {
  redirect "star@example.net";
}
if header :matches "X-Empty" "?*" {
  redirect "wrong@example.net";
}
