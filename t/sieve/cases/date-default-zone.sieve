require ["date", "variables", "fileinto"];
if date :matches "date" "std11" "*" { set "x" "${1}"; }
if date :matches "date" "zone" "*" { fileinto "zone ${1}"; }
if date :matches "date" "time" "*" { fileinto "time ${1}"; }
