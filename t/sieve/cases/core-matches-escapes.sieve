if header :matches "X-Star" "a\\*b\\?c\\\\d" {
  redirect "literal@example.net";
}
if header :matches "X-Star" "a\\*b\\?c*" {
  redirect "mixed@example.net";
}
if header :matches "X-Text" "a\\*c" {
  redirect "wrong@example.net";
}
