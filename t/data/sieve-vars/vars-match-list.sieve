# RFC 5229 3.2: match variables from :matches
require ["variables", "fileinto"];
if header :matches "List-Id" "*<*.lists.*>" {
    fileinto "lists/${2}";
}
if header :matches "Subject" "[*] *" {
    fileinto "INBOX.${1}.${2}";
}
fileinto "${0}|${3}";
