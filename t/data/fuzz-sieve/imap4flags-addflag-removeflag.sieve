require "imap4flags";
addflag "\\Deleted \\Answered";
addflag "$Work";
removeflag "\\deleted";
removeflag "NotThere";
