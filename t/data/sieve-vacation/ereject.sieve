require ["ereject"];
ereject "Spam is not welcome here.";
