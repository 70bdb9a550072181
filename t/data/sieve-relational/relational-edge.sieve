require ["relational", "comparator-i;ascii-numeric", "fileinto", "regex", "variables"];
if header :value "eq" :comparator "i;ascii-numeric" "x-e" "abc" { fileinto "empty-eq-inf"; }
if header :value "gt" :comparator "i;ascii-numeric" "x-n" "41" { fileinto "n-gt-41"; }
if header :value "lt" :comparator "i;ascii-numeric" "x-n" "8" { fileinto "n-lt-8"; }
if header :count "eq" :comparator "i;ascii-numeric" "x-n" "2" { fileinto "n-count2"; }
if header :count "eq" :comparator "i;ascii-numeric" "x-e" "1" { fileinto "e-count1"; }
if header :value "gt" :comparator "i;ascii-numeric" "x-big" "123456789012345678901234567889" { fileinto "big"; }
if header :value "eq" "subject" "HELLO WORLD" { fileinto "casemap-eq"; }
if header :value "ne" :comparator "i;octet" "subject" "HELLO WORLD" { fileinto "octet-ne"; }
if header :count "ge" :comparator "i;ascii-numeric" ["x-n", "subject", "x-none"] "3" { fileinto "multi-count3"; }
if header :regex "subject" "" { fileinto "empty-regex"; }
set "bad" "(";
if header :regex "subject" "${bad}" { fileinto "badregex"; } else { fileinto "badregex-false"; }
if header :regex "subject" ["world"] { fileinto "after-bad"; }
if header :regex "x-n" "^[0-9]+$" { fileinto "x-n-regex"; }
if header :count "eq" :comparator "i;ascii-numeric" "subject" "0001" { fileinto "count-0001"; }
if address :value "gt" :domain "to" "example.com" { fileinto "addr-value"; }
