require ["fileinto", "mailbox"];
fileinto :create "Lists/ietf";
