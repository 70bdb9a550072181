require ["variables"];
if string :contains ["abc", "def"] ["x", "e"] {
  discard;
}
