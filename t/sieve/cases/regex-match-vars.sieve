require ["regex", "variables", "fileinto"];
if header :regex "subject" "([a-z]+) report for (Q[0-9])" {
  fileinto "${1}-${2}-${0}";
}
