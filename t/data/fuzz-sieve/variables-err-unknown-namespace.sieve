require ["variables", "fileinto"];
fileinto "${frob.x}";
