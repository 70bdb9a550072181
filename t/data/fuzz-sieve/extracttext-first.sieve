require ["foreverypart", "mime", "extracttext", "variables", "fileinto"];
foreverypart {
  if header :mime :contenttype "Content-Type" "text/plain" {
    extracttext :first 8 "t";
    fileinto "first8-${t}";
    break;
  }
}
