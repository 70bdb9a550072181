require ["relational"];
if header :value "lt" "x-count" "2" {
  redirect "string-order@example.net";
}
if header :value "ge" "x-text" "ABC" {
  redirect "casemap-eq@example.net";
}
if header :value "gt" :comparator "i;octet" "x-text" "ABC" {
  redirect "octet-gt@example.net";
}
