require ["include", "fileinto"];
include :global "mailing-lists";
fileinto "not-reached";
