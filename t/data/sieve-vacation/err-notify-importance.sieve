require ["enotify"];
notify :importance "4" "mailto:bob@example.org";
