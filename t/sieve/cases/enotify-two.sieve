require ["enotify"];
notify "mailto:one@example.com";
notify "mailto:two@example.com";
discard;
