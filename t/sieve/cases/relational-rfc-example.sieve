require ["relational", "comparator-i;ascii-numeric"];
if address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"] {
  redirect "three-addresses@example.net";
}
if anyof (address :count "ge" :comparator "i;ascii-numeric" ["to"] ["3"],
          address :count "ge" :comparator "i;ascii-numeric" ["cc"] ["3"]) {
  redirect "wrong@example.net";
}
if header :count "ge" :comparator "i;ascii-numeric" ["received"] ["3"] {
  redirect "wrong2@example.net";
}
if header :count "ge" :comparator "i;ascii-numeric" ["received", "subject"] ["3"] {
  redirect "received-subject@example.net";
}
