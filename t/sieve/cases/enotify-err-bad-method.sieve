require ["enotify"];
keep;
notify "x-unknown:foo";
