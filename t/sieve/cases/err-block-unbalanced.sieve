if true {
  discard;
