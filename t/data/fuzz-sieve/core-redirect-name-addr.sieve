redirect "Forward Box <forward@example.net>";
