require ["imap4flags", "variables", "relational", "comparator-i;ascii-numeric"];
set "MyFlags" "A B";
if hasflag :count "ge" :comparator "i;ascii-numeric" "MyFlags" "2" {
  redirect "two@example.net";
}
