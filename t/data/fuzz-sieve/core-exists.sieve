if exists "x-priority" {
  redirect "one@example.net";
}
if exists ["from", "to", "cc"] {
  redirect "all@example.net";
}
if exists ["from", "x-missing"] {
  redirect "wrong@example.net";
}
