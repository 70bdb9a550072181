require ["regex", "variables", "fileinto"];
set "p" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
set "p" "${p}${p}${p}${p}${p}${p}${p}${p}";
set "p" "${p}|Quarterly";
if header :regex "subject" "${p}" { fileinto "long-matched"; } else { fileinto "long-refused"; }
if header :regex "subject" "quarterly" { fileinto "short"; }
