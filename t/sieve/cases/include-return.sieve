require ["include", "fileinto"];
include "spam-tests";
fileinto "after-include";
