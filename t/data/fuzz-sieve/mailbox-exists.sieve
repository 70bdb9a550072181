require ["mailbox"];
if mailboxexists "INBOX" {
  redirect "inbox@example.net";
}
if mailboxexists ["INBOX", "No/Such/Box/xyzzy"] {
  redirect "wrong@example.net";
}
