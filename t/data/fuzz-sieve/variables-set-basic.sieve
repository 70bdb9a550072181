require ["variables", "fileinto"];
set "company" "ACME";
fileinto "${COMPANY}-${full}-x";
