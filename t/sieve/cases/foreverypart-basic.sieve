require ["foreverypart", "mime", "fileinto", "variables"];
set "n" "";
foreverypart {
  if header :mime :contenttype :matches "Content-Type" "*" {
    set "n" "${n}[${1}]";
  }
}
fileinto "${n}";
