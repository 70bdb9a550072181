require ["mime", "fileinto"];
if header :mime :anychild :contenttype "Content-Type" "application/pdf" {
  fileinto "has-pdf";
}
if header :mime :anychild :param "filename" :matches "Content-Disposition" "*.txt" {
  fileinto "has-txt";
}
if header :mime :anychild :contenttype "Content-Type" "image/png" {
  fileinto "wrong";
}
