if true {
  redirect "a@example.net";
  stop;
}
redirect "b@example.net";
