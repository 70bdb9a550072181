require ["relational", "comparator-i;ascii-numeric", "fileinto", "date", "index"];
if header :count "lt" "received" "10" { fileinto "casemap-count"; }
if address :count "ge" :comparator "i;ascii-numeric" ["to","cc","from"] "4" { fileinto "count4"; }
if header :value "lt" :comparator "i;ascii-numeric" "x-none" "5" { fileinto "none-lt"; }
if header :count "eq" "x-none" "0" { fileinto "none-0"; }
if date :value "le" :comparator "i;ascii-numeric" "date" "julian" "60744" { fileinto "jul"; }
if date :zone "+1400" "date" "date" "2025-03-10" { fileinto "z14"; }
if date :zone "-1200" "date" "weekday" "0" { fileinto "z-12sun"; }
if currentdate :zone "+0000" :value "gt" "year" "2000" { fileinto "cur"; }
if date :zone "+0130" "date" "zone" "+0130" { fileinto "zone0130"; }
