if header :is "x-star" "a*b?c\\d" {
  redirect "backslash@example.net";
}
if header :is "x-text" "\a\b\c" {
  redirect "undefined-escape@example.net";
}
if header :is "x-text" "abc\"" {
  redirect "wrong@example.net";
}
