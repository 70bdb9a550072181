redirect "forward@example.net";
redirect "forward@EXAMPLE.NET";
redirect "Forward@example.net";
