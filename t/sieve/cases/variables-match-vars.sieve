require ["fileinto", "variables"];
if header :matches "List-ID" "*<*@*" {
  fileinto "INBOX.lists.${2}"; stop;
}
fileinto "wrong";
