keep;
true;
