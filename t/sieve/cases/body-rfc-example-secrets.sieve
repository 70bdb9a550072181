require ["body", "fileinto"];
if body :content "text" :contains ["missile", "harbour"] {
  fileinto "secrets";
}
if body :content "audio/mp3" :contains "" {
  fileinto "jukebox";
}
