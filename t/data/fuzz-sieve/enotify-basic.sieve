require ["enotify"];
notify :importance "1" :message "You got mail" "mailto:alm@example.com";
