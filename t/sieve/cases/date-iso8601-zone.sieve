require ["date", "variables", "fileinto"];
if date :zone "+0000" :matches "date" "iso8601" "*" { fileinto "utc ${1}"; }
if date :zone "-0500" :matches "date" "iso8601" "*" { fileinto "est ${1}"; }
if date :originalzone :matches "date" "iso8601" "*" { fileinto "orig ${1}"; }
