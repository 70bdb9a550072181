# RFC 6609 3.2 example (always_allow)
require ["fileinto"];
if address :is "from" "alice@example.com" {
  keep;
  stop;
}
