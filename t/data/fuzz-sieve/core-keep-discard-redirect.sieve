keep;
discard;
redirect "x@example.net";
