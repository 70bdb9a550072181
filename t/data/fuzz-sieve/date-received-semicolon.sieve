require ["date", "fileinto"];
if date :originalzone :is "received" "date" "2025-03-10" {
  fileinto "received";
}
if date :originalzone :is "received" "time" "10:15:02" {
  fileinto "first-received";
}
