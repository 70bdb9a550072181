if keep {
  discard;
}
