if header :is :comparator "i;nonexistent" "subject" "x" {
  discard;
}
