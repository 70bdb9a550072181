require ["enotify"];
notify :importance "5" "mailto:tim@example.com";
