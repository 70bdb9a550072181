require ["ereject"];
if header :contains "subject" "report" {
  ereject "Spam not wanted here";
}
