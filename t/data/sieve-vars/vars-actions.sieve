# expansion in action arguments
require ["variables", "fileinto"];
if address :matches :localpart "from" "*" { set "who" "${1}"; }
if address :matches :domain "from" "*" { set "dom" "${1}"; }
fileinto "from/${dom}/${who}";
redirect "${who}-copy@example.net";
