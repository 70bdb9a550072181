require ["enotify"];
notify "xmpp:bob@example.org";
