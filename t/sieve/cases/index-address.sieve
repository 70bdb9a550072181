require ["index", "fileinto"];
if address :index 1 :is "to" "carol@example.net" {
  fileinto "same-field";
}
if address :index 2 :is ["from", "to"] "bob@example.org" {
  fileinto "second-name";
}
