require "imap4flags";
setflag "v" "a";
