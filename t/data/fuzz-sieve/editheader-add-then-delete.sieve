require ["editheader"];
addheader "X-Hello" "World";
deleteheader :index 1 "X-Hello";
