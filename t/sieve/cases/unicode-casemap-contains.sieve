require ["comparator-i;unicode-casemap"];
if header :contains :comparator "i;unicode-casemap" "from" "JÜRGEN" {
  redirect "contains@example.net";
}
