if true
  discard;
