require ["relational", "comparator-i;ascii-numeric"];
if header :value "gt" :comparator "i;ascii-numeric" "x-count" "99" {
  redirect "gt99@example.net";
}
if header :value "lt" :comparator "i;ascii-numeric" "x-count" "7" {
  redirect "wrong@example.net";
}
if header :value "eq" :comparator "i;ascii-numeric" "x-version" "10" {
  redirect "leading-zero@example.net";
}
if header :value "ne" :comparator "i;ascii-numeric" "x-count" ["42", "7"] {
  redirect "ne@example.net";
}
