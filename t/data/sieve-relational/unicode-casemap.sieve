require ["comparator-i;unicode-casemap", "relational", "fileinto"];
if header :contains :comparator "i;unicode-casemap" "subject" "ÉTÉ" { fileinto "contains"; }
if header :is :comparator "i;unicode-casemap" "x-name" "STRASSE" { fileinto "is-ss"; }
if header :value "lt" :comparator "i;unicode-casemap" "x-name" "straßf" { fileinto "lt"; }
if header :matches :comparator "i;unicode-casemap" "subject" "*CHAUD" { fileinto "matches"; }
