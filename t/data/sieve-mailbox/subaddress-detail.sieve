require ["subaddress", "fileinto", "envelope"];
if address :user "from" "alice" { fileinto "user"; }
if envelope :detail "to" "lists" { fileinto "detail"; }
if address :detail "to" "" { fileinto "never"; }
