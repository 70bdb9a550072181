require ["encoded-character", "fileinto"];
fileinto "a${hex:zz}b${hex:}c${unicode:}d$${hex:41}";
