if header :is "subject" "x" {
  keep;
} elsif frob "x" {
  discard;
}
