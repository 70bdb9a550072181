require ["include", "fileinto"];
include :once "redirect-once";
include :once "redirect-once";
fileinto "done";
