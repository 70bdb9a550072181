# mime, foreverypart, extracttext and editheader over corpus messages
# (t/sieve-body.t)
require ["mime", "foreverypart", "extracttext", "variables", "fileinto",
         "editheader"];
set "types" "";
foreverypart {
  if header :mime :contenttype "content-type" "*" {}
  if header :mime :matches :contenttype "content-type" "*" {
    set "types" "${types} ${1}";
  }
  if header :mime :contenttype "content-type" "text/plain" {
    extracttext :first 12 "start";
    addheader :last "X-Text-Start" "${start}";
    break;
  }
}
addheader "X-Types" "${types}";
fileinto "done";
