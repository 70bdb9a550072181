require ["comparator-i;ascii-numeric", "relational"];
if header :is :comparator "i;ascii-numeric" "x-text" "xyz" {
  redirect "both-infinite@example.net";
}
if header :value "gt" :comparator "i;ascii-numeric" "x-text" "99999" {
  redirect "infinite-greater@example.net";
}
