if header :is :comparator "i;octet" "subject" "quarterly report for q1" {
  redirect "wrong@example.net";
}
if header :contains :comparator "i;octet" "subject" "Q1" {
  redirect "octet@example.net";
}
