require ["variables", "include", "fileinto"];
fileinto "persist:${l}";
set "l" "set-in-persist";
