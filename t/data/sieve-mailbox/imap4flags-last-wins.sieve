require ["imap4flags", "fileinto"];
setflag "a";
fileinto "x";
setflag "b";
fileinto "x";
