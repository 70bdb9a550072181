require ["virustest", "fileinto", "variables"];
if virustest :matches "*" {
  fileinto "virustest-${1}";
}
