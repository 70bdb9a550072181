require "imap4flags";
setflag "\\seen";
addflag ["$Label1", "\\Flagged \\Recent"];
removeflag "\\flagged";
