require ["fileinto", "variables", "include"];
global "list";
if header :matches "List-Id" "*<*.lists.example.net>" {
  set "list" "${2}";
  fileinto "Lists/${2}";
  stop;
}
