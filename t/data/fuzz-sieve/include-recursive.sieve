require ["include"];
include "includes-self";
