require ["imap4flags"];
setflag "A B";
if hasflag :is "b A" {
  redirect "both@example.net";
}
if hasflag ["c"] {
  redirect "wrong@example.net";
}
if hasflag :contains "b" {
  redirect "contains@example.net";
}
