require ["enotify"];
if header :contains "from" "alice" {
    notify :importance "1" :message "This is probably very important"
        "mailto:bob@example.org";
}
