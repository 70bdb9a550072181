require ["spamtest", "fileinto", "variables"];
if spamtest :matches "*" {
  fileinto "spamtest-${1}";
}
