require ["reject", "fileinto"];
reject "no thanks";
fileinto "Junk";
