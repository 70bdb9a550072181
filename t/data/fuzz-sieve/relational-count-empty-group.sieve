require ["relational", "comparator-i;ascii-numeric"];
if address :count "eq" :comparator "i;ascii-numeric" "to" "0" {
  redirect "zero@example.net";
}
if address :count "eq" :comparator "i;ascii-numeric" ["to", "bcc"] "1" {
  redirect "bcc-only@example.net";
}
