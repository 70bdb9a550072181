require ["enotify"];
if allof (valid_notify_method "mailto:bob@example.org",
          not valid_notify_method "foo:bar",
          notify_method_capability "mailto:bob@example.org" "online" "maybe") {
    discard;
}
