require ["regex", "variables", "fileinto"];
if header :regex "subject" "^(q[a-z]+)ly (x)?(report)" { fileinto "a/${0}/${1}/${2}/${3}/${4}"; }
if header :regex "to" "(bob)@" { fileinto "${1}"; }
