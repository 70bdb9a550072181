# RFC 5229 3: a reference to an unknown namespace is an error (Pigeonhole
# prints the error but still runs the script with it empty)
require ["variables", "fileinto"];
fileinto "x";
fileinto "[${foo.bar}]";
