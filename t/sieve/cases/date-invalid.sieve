require ["date"];
if date :matches "x-no-date" "year" "*" {
  redirect "wrong@example.net";
}
if date :matches "date" "year" "*" {
  redirect "wrong2@example.net";
}
if date :matches "x-good" "year" "*" {
  redirect "good@example.net";
}
