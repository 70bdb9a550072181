require ["relational", "envelope", "comparator-i;ascii-numeric"];
if envelope :count "eq" :comparator "i;ascii-numeric" "to" "1" {
  redirect "one@example.net";
}
