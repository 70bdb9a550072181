require ["encoded-character", "fileinto"];
fileinto "${unicode:200000}";
