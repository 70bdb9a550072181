# uses "folder" without declaring it global: a separate, local variable
require ["variables", "fileinto"];
fileinto "local-${folder}";
