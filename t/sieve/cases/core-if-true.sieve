if true {
  discard;
}
