require ["include"];
include "flag-it";
