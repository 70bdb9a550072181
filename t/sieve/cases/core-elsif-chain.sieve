if header :is "subject" "nope" {
  redirect "first@example.net";
} elsif header :contains "subject" "report" {
  redirect "second@example.net";
} elsif true {
  redirect "third@example.net";
} else {
  redirect "fourth@example.net";
}
