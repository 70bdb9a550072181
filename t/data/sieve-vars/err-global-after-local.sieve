require ["include", "variables"];
set "g" "x";
global "g";
