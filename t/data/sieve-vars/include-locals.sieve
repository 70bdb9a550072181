# each inclusion starts with empty local variables
require ["variables", "include", "fileinto"];
set "l" "main";
include "persist";
include "persist";
fileinto "main:${l}";
