if false {
  discard;
} elsif false {
  discard;
} else {
  redirect "else@example.net";
}
