require ["foreverypart", "mime", "fileinto"];
foreverypart :name "outer" {
  if header :mime :contenttype "Content-Type" "text/html" {
    fileinto "found-html";
    break :name "outer";
  }
}
fileinto "after-loop";
