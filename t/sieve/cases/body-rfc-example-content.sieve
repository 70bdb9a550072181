require ["body", "fileinto"];
if body :content "multipart" :contains "MIME" {
  fileinto "multipart";
}
if body :content "text/plain" :contains "Hello" {
  fileinto "text-plain";
}
if body :content "text/html" :contains "Hello" {
  fileinto "text-html";
}
if body :content "message/rfc822" :contains "Hello" {
  fileinto "rfc822";
}
if body :content "message/rfc822" :contains "Please say" {
  fileinto "wrong";
}
