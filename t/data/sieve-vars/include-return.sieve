require ["include", "fileinto"];
fileinto "a";
return;
fileinto "b";
