require ["enotify"];
notify "mailto:bob@example.org";
notify "mailto:bob@example.org";
