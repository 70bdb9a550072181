if true {
  fileinto "A";
}
