# a script with a syntax error on line 3
keep;
frobnicate;
