require ["editheader"];
deleteheader "Received";
deleteheader "Auto-Submitted";
addheader "X-Ok" "yes";
