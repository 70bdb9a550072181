if size :over 0K {
  redirect "over0k@example.net";
}
if allof (size :over 512, size :under 1k) {
  redirect "lowercase-k@example.net";
}
