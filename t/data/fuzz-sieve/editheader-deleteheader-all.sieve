require ["editheader"];
deleteheader "x-hello";
deleteheader "Subject";
