if ihave "fileinto" {
  keep;
}
