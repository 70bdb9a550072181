if size 100 {
  discard;
}
