require ["imap4flags", "fileinto"];
setflag "a";
fileinto "x";
addflag "b";
fileinto "y";
setflag "z";
