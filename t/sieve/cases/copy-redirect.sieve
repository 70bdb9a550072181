require ["copy"];
if header :contains "subject" "report" {
  redirect :copy "sysadmin@example.com";
}
