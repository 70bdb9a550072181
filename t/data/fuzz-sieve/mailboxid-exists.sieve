require ["mailboxid"];
if not mailboxidexists "Fno-such-mailbox-id" {
  redirect "no-such-id@example.net";
}
