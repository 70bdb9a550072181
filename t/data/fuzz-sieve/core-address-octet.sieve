if address :domain :is :comparator "i;octet" "cc" "example.org" {
  redirect "wrong@example.net";
}
if address :domain :is :comparator "i;octet" "cc" "Example.ORG" {
  redirect "octet@example.net";
}
