# RFC 5463 5: error ends with a runtime error (implicit keep only)
require ["ihave", "fileinto"];
fileinto "before";
error "giving up";
