if header :contains "subject" "report" {
}
