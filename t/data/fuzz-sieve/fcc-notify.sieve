require ["enotify", "fcc"];
notify :fcc "Sent" :message "You got mail" "mailto:alm@example.com";
