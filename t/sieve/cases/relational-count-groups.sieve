require ["relational", "comparator-i;ascii-numeric", "fileinto", "variables"];
if address :count "eq" :comparator "i;ascii-numeric" "cc" "3" {
  redirect "cc3@example.net";
}
if address :count "eq" :comparator "i;ascii-numeric" "to" "0" {
  redirect "to0@example.net";
}
