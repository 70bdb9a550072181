require ["spamtest", "relational", "comparator-i;ascii-numeric"];
if spamtest :value "eq" :comparator "i;ascii-numeric" "10" {
  discard;
}
