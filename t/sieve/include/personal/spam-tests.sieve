# included by include-*: files low-priority and spammy mail
require ["fileinto", "include"];
if header :contains "subject" "won" {
  fileinto "Spam";
  return;
}
if header :is "x-priority" "5" {
  fileinto "Low";
}
