require ["variables", "include", "fileinto"];
global "g";
set "l" "sub-local";
fileinto "sub:${g}:${l}:${global.h}";
set "g" "changed";
set "global.h" "hchanged";
return;
fileinto "notreached";
