require ["fileinto", "special-use", "mailbox"];
fileinto :specialuse "\\Archive" :create "Archive";
