if anyof () {
  discard;
}
