require ["date", "index", "fileinto"];
if date :index 2 :originalzone "received" "time" "10:15:00" {
  fileinto "second-received";
}
if date :index 1 :last :originalzone "received" "time" "10:15:00" {
  fileinto "oldest-received";
}
if date :index 1 :originalzone "received" "time" "10:15:02" {
  fileinto "first-received";
}
