keep;
if header :contains "subject" text:
report
{ discard; }
