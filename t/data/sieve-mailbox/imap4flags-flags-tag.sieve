require ["imap4flags", "fileinto"];
setflag "a";
fileinto :flags "\\Deleted z" "x";
keep;
