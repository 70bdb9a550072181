require ["regex"];
if header :regex "subject" "^Quarterly report for Q[1-4]$" {
  redirect "quarter@example.net";
}
if address :regex :domain "cc" "^example\\.(org|net)$" {
  redirect "domain@example.net";
}
if header :regex "subject" "^quarterly" {
  redirect "casemap@example.net";
}
if header :regex :comparator "i;octet" "subject" "^quarterly" {
  redirect "wrong@example.net";
}
