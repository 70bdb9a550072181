if header :matches "subject" "Quarterly report for Q?" {
  redirect "one@example.net";
}
if header :matches "subject" "Quarterly report for Q??" {
  redirect "two@example.net";
}
