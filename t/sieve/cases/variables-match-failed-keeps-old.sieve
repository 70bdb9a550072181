require ["fileinto", "variables"];
if header :matches "subject" "Quarterly *" {
}
if header :matches "subject" "Nothing *" {
}
fileinto "${1}";
