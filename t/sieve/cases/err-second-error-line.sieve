keep;
keep;
if header :bogus "subject" "x" { discard; }
frob;
