require ["date", "variables", "fileinto"];
if date :zone "+0100" :matches "date" "date" "*" { fileinto "${1}"; }
if date :zone "+0100" :is "date" "weekday" "0" { fileinto "sunday"; }
