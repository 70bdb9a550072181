require ["editheader"];
deleteheader :contains "X-Hello" ["two", "thr"];
