require ["imap4flags", "fileinto"];
setflag "\\Seen";
fileinto :flags ["\\Flagged", "$Label1"] "Important";
fileinto "Other";
