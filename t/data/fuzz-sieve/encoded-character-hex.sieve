require ["encoded-character", "fileinto"];
fileinto "${hex:52 65 70}${hex:6F 72}${hex: 74 73 }";
