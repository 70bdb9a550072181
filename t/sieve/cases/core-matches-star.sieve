if header :matches "subject" "quarterly*" {
  redirect "prefix@example.net";
}
if header :matches "subject" "*Q1" {
  redirect "suffix@example.net";
}
if header :matches "subject" "report*" {
  redirect "anchored@example.net";
}
