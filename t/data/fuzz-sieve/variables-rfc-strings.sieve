require ["variables", "fileinto"];
set "company" "ACME";
fileinto "${BAD${Company}";
fileinto "&%${}!";
fileinto "${doh!}";
fileinto "${President, ${Company} Inc.}";
