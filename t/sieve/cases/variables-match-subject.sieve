require ["fileinto", "variables"];
if header :matches "Subject" "[*] *" {
  fileinto "INBOX.lists.${1}";
  fileinto "rest.${2}";
  fileinto "all.${0}";
}
