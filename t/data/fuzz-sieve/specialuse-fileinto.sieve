require ["fileinto", "special-use"];
if header :contains "subject" "report" {
  fileinto :specialuse "\\Junk" "Spam";
}
