if header :is "subject" "QUARTERLY REPORT FOR Q1" {
  redirect "is@example.net";
}
if header :is "subject" "Quarterly report" {
  redirect "not-whole@example.net";
}
