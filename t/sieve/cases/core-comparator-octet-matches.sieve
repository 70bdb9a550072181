if header :matches :comparator "i;octet" "subject" "Q*" {
  redirect "octet@example.net";
}
if header :matches :comparator "i;octet" "subject" "q*" {
  redirect "wrong@example.net";
}
