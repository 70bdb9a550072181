require ["imap4flags", "fileinto", "variables"];
if header :contains "Disposition-Notification-To" "mel@example.com" {
  addflag "flagvar" "$MDNRequired";
}
addflag "flagvar" ["$MDNRequired", "$Other"];
if header :contains "from" "alice@example.com" {
  removeflag "flagvar" "$MDNRequired";
  fileinto :flags "${flagvar}" "INBOX.imap-list";
}
