require ["include"];
discard;
include "no-such-script";
