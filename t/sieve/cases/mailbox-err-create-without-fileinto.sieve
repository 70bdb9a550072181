require ["mailbox"];
fileinto :create "X";
