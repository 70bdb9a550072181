keep;
redirect "a@example.net;
discard;
