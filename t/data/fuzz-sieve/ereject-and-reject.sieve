require ["ereject", "reject"];
reject "one";
ereject "two";
