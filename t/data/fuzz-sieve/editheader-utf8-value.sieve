require ["editheader", "fileinto"];
addheader "X-Greeting" "Grüße";
if header :is "X-Greeting" "Grüße" {
  fileinto "decoded";
}
