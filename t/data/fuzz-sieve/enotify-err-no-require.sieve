notify "mailto:tim@example.com";
