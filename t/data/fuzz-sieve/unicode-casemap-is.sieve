require ["comparator-i;unicode-casemap"];
if header :is :comparator "i;unicode-casemap" "subject" "GRÜßE AUS MÜNCHEN" {
  redirect "unicode@example.net";
}
if header :is :comparator "i;ascii-casemap" "subject" "GRÜßE AUS MÜNCHEN" {
  redirect "wrong@example.net";
}
