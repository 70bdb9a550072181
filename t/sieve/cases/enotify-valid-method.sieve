require ["enotify"];
if valid_notify_method "mailto:tim@example.com" {
  redirect "mailto-valid@example.net";
}
if valid_notify_method ["mailto:tim@example.com", "x-unknown:foo"] {
  redirect "wrong@example.net";
}
