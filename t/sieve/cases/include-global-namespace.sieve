require ["include", "variables", "fileinto"];
set "global.folder" "Q1";
include "set-var";
include "uses-undeclared";
global "folder";
fileinto "${folder}";
