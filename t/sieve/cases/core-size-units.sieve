if size :under 1M {
  redirect "under1m@example.net";
}
if size :over 1G {
  redirect "wrong@example.net";
}
if size :under 0 {
  redirect "never@example.net";
}
