# RFC 5229 5: the string test
require ["variables", "fileinto", "relational"];
set "state" "${state} pending";
if string :matches " ${state} " "* pending *" {
    fileinto "pending:${1}";
}
if string :count "eq" ["a", "", "b"] "2" { fileinto "count2"; }
if string :contains ["x", "abc"] "B" { fileinto "contains"; }
if string :is :comparator "i;octet" "ABC" "abc" { fileinto "wrong"; }
if string "${undefined}" "" { fileinto "empty"; }
