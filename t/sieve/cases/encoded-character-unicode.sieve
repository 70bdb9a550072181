require ["encoded-character", "fileinto"];
fileinto "${unicode:47 72 FC DF 65}";
