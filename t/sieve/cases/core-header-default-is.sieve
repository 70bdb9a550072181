if header "Subject" "quarterly report for q1" {
  discard;
}
