redirect "friends: a@example.net, b@example.net;";
