require ["comparator-i;ascii-numeric"];
if header :is :comparator "i;ascii-numeric" "x-version" "10" {
  redirect "numeric-eq@example.net";
}
if header :is :comparator "i;ascii-numeric" "x-count" "042" {
  redirect "42@example.net";
}
