require ["include"];
return;
discard;
