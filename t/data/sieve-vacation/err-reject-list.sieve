require ["reject"];
reject ["a", "b"];
