require ["editheader"];
addheader "X Bad:Name" "x";
