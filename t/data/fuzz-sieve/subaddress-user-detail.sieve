require ["subaddress", "fileinto", "variables"];
if address :user "to" "andre" {
  fileinto "user";
}
if address :detail :matches "to" "*" {
  fileinto "detail-${1}";
}
