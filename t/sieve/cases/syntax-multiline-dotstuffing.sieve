require "reject";
reject text:
..one dot left
.
;
