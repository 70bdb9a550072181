require ["date", "relational"];
if currentdate :value "ge" "year" "2020" {
  redirect "after-2020@example.net";
}
if currentdate :zone "+0000" :matches "zone" "+0000" {
  redirect "zone@example.net";
}
