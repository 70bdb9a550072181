require ["body"];
if body :contains "meeting" {
  redirect "text@example.net";
}
if body :text :contains "quarterly report summary" {
  redirect "text2@example.net";
}
