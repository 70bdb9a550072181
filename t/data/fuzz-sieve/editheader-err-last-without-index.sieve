require ["editheader"];
deleteheader :last "X-Hello";
