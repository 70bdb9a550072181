keep;
discard
keep;
