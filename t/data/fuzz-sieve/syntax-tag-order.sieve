if address :comparator "i;octet" :domain :is "from" "example.com" {
  redirect "any-order@example.net";
}
