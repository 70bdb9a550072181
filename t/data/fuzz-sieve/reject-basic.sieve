require ["reject"];
if header :contains "from" "alice" {
  reject "I am not taking mail from you.";
}
