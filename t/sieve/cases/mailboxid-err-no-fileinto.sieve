require ["mailboxid"];
fileinto :mailboxid "F3a7b9c2e" "INBOX";
