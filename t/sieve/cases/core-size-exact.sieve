if size :over 128 {
  redirect "over@example.net";
}
if size :under 128 {
  redirect "under@example.net";
}
if not anyof (size :over 128, size :under 128) {
  redirect "exact@example.net";
}
