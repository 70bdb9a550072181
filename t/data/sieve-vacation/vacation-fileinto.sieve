require ["vacation", "fileinto"];
vacation "x";
fileinto "Archive";
