require ["spamtestplus", "fileinto", "variables"];
if spamtest :percent :matches "*" {
  fileinto "percent-${1}";
}
