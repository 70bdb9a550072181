require ["imap4flags", "fileinto", "variables"];
if header :contains "from" "alice" {
  setflag "flagvar" "\\Flagged";
  addflag "flagvar" "$MDNRequired";
  removeflag "flagvar" "$mdnrequired";
  fileinto :flags "${flagvar}" "INBOX.From Boss";
}
