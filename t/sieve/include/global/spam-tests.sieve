# the global spam tests: a different script of the same name
require ["fileinto"];
if header :contains "subject" "report" {
  fileinto "Global/Reports";
}
