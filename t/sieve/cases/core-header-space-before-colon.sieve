if header :is "x-spaced" "spaced value" {
  redirect "spaced@example.net";
}
