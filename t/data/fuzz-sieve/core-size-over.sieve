if size :over 100 {
  redirect "over100@example.net";
}
if size :over 1K {
  redirect "over1k@example.net";
}
if size :under 1K {
  redirect "under1k@example.net";
}
