require ["mime", "variables", "extracttext", "foreverypart", "fileinto"];
foreverypart {
  if header :mime :contenttype "Content-Type" "text/plain" {
    extracttext "text";
    if string :contains "${text}" "gate B12" {
      fileinto "itinerary";
    }
  }
}
