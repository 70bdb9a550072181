require ["enotify"];
if notify_method_capability "mailto:tim@example.com" "Online" "maybe" {
  redirect "maybe@example.net";
}
if notify_method_capability "mailto:tim@example.com" "x-frob" "yes" {
  redirect "wrong@example.net";
}
if notify_method_capability "x-unknown:foo" "online" "maybe" {
  redirect "wrong2@example.net";
}
