require ["mime", "fileinto"];
if exists :mime :anychild "Content-Disposition" {
  fileinto "has-disposition";
}
if address :mime :anychild :is "from" "heidi@example.net" {
  fileinto "nested-from";
}
