require ["imap4flags", "fileinto", "variables"];
if header :contains "from" "alice@example.com" {
  setflag "flagvar" "\\Flagged";
  fileinto :flags "${flagvar}" "INBOX.From Boss";
}
set "MyVar" "NonJunk Junk gnus-forward $Forwarded NotJunk JunkRecorded $Junk $NotJunk";
if allof (hasflag :contains "MyVar" "Junk",
          hasflag :contains "MyVar" ["label", "forward"],
          not hasflag :contains "MyVar" ["label1", "label2"]) {
  redirect "rfc-example@example.net";
}
