require ["date", "relational", "comparator-i;ascii-numeric"];
if date :count "eq" :comparator "i;ascii-numeric" "date" "year" "1" {
  redirect "count1@example.net";
}
if date :count "eq" :comparator "i;ascii-numeric" "x-none" "year" "0" {
  redirect "count0@example.net";
}
