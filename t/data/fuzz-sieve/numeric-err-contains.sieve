require ["comparator-i;ascii-numeric"];
if header :contains :comparator "i;ascii-numeric" "x-count" "4" {
  discard;
}
