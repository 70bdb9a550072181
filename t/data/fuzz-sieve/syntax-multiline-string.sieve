require "reject";
reject text: # a hash comment may follow text:
Line one
line two
.
;
