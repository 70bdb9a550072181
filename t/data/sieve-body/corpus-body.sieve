# body tests over corpus messages (t/sieve-body.t): each true test files
# into a folder named after it
require ["body", "fileinto", "relational", "comparator-i;ascii-numeric"];
if body :text :contains "Newt-thought" { fileinto "epilogue-as-text"; }
if body :content "multipart" :contains "Newt-thought" { fileinto "epilogue"; }
if body :text :contains "embedded message body" { fileinto "nested-body"; }
if body :content "message/rfc822" :contains "Subject: embedded message" {
  fileinto "nested-header";
}
if body :text :contains "すみません" { fileinto "iso-2022-jp"; }
if body :raw :contains "$B$9$_" { fileinto "raw"; }
if body :content "text" :count "ge" :comparator "i;ascii-numeric" "2" {
  fileinto "two-text-parts";
}
