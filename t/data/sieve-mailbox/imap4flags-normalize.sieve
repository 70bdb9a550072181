require "imap4flags";
setflag "Zeta alpha \\SEEN $x ZETA bÃ¤r a]b";
