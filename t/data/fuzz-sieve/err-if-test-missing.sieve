keep;
if {
  discard;
}
