require ["regex", "fileinto"];
if header :regex "subject" "(a)\\1" { fileinto "backref"; }
