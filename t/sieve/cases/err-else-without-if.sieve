keep;
else {
  discard;
}
