require ["spamtest", "relational", "comparator-i;ascii-numeric"];
if spamtest :value "eq" :comparator "i;ascii-numeric" "0" {
  redirect "unclassified@example.net";
}
if spamtest :count "eq" :comparator "i;ascii-numeric" "0" {
  redirect "count0@example.net";
}
