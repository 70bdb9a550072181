redirect "forward@example.net";
keep;
