keep;
elsif true {
  discard;
}
