require ["ereject", "fileinto"];
fileinto "Junk";
ereject "no";
