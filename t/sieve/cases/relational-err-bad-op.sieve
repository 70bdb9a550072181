require "relational";
if header :value "greater" "x" "1" {
  discard;
}
