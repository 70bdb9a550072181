if address :all :matches "to" "*" {
  redirect "matched-group@example.net";
}
if address :all :is "to" "undisclosed-recipients:;" {
  redirect "raw-text@example.net";
}
