require ["include", "fileinto"];
include :once "oloop1";
fileinto "o2";
