require ["mime", "fileinto"];
if header :mime :type "Content-Type" "multipart" {
  fileinto "type";
}
if header :mime :subtype "Content-Type" "mixed" {
  fileinto "subtype";
}
if header :mime :contenttype "Content-Type" "multipart/mixed" {
  fileinto "contenttype";
}
if header :mime :param "boundary" "Content-Type" "outer" {
  fileinto "param";
}
