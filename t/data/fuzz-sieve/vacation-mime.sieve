require "vacation";
vacation :mime text:
Content-Type: text/plain; charset=us-ascii

I am away.
.
;
