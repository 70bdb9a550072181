# RFC 5229 3: the substitution examples
require ["variables", "fileinto"];
set "company" "ACME";
fileinto "[${full}]";
fileinto "${company}";
fileinto "${BAD${Company}";
fileinto "${President, ${Company} Inc.}";
fileinto "&%${}! ${doh!} ${a ${0.s}";
set "s" "$";
fileinto "${s}{company}";
