require ["imap4flags", "fileinto"];
setflag "B a C";
if hasflag :is "b A" { fileinto :flags "" "is"; }
if hasflag :contains "c" { fileinto :flags "" "contains"; }
if hasflag :matches "x*" { discard; }
