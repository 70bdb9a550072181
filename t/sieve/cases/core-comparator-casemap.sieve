if header :contains :comparator "i;ascii-casemap" "subject" "QUARTERLY" {
  redirect "casemap@example.net";
}
