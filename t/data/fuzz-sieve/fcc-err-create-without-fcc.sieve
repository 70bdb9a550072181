require ["vacation", "fcc", "mailbox"];
vacation :create "I'm away.";
