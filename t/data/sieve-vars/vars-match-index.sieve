# ${N} past the highest index Pigeonhole keeps (32) is never set: ""
require ["variables", "fileinto"];
if header :matches "subject" "*" { fileinto "[${1}][${32}][${33}]"; }
