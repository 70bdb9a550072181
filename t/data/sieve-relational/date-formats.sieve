require ["date", "variables", "fileinto"];
if date :zone "+0000" :matches "date" "iso8601" "*" { fileinto "date ${1}"; } else { fileinto "date none"; }
if date :originalzone :matches "date" "zone" "*" { fileinto "date z${1}"; }
if date :zone "+0000" :matches "x-d1" "iso8601" "*" { fileinto "x-d1 ${1}"; } else { fileinto "x-d1 none"; }
if date :originalzone :matches "x-d1" "zone" "*" { fileinto "x-d1 z${1}"; }
if date :zone "+0000" :matches "x-d2" "iso8601" "*" { fileinto "x-d2 ${1}"; } else { fileinto "x-d2 none"; }
if date :originalzone :matches "x-d2" "zone" "*" { fileinto "x-d2 z${1}"; }
if date :zone "+0000" :matches "x-d3" "iso8601" "*" { fileinto "x-d3 ${1}"; } else { fileinto "x-d3 none"; }
if date :originalzone :matches "x-d3" "zone" "*" { fileinto "x-d3 z${1}"; }
if date :zone "+0000" :matches "x-d4" "iso8601" "*" { fileinto "x-d4 ${1}"; } else { fileinto "x-d4 none"; }
if date :originalzone :matches "x-d4" "zone" "*" { fileinto "x-d4 z${1}"; }
if date :zone "+0000" :matches "x-d5" "iso8601" "*" { fileinto "x-d5 ${1}"; } else { fileinto "x-d5 none"; }
if date :originalzone :matches "x-d5" "zone" "*" { fileinto "x-d5 z${1}"; }
if date :zone "+0000" :matches "x-d6" "iso8601" "*" { fileinto "x-d6 ${1}"; } else { fileinto "x-d6 none"; }
if date :originalzone :matches "x-d6" "zone" "*" { fileinto "x-d6 z${1}"; }
if date :zone "+0000" :matches "x-d7" "iso8601" "*" { fileinto "x-d7 ${1}"; } else { fileinto "x-d7 none"; }
if date :originalzone :matches "x-d7" "zone" "*" { fileinto "x-d7 z${1}"; }
if date :zone "+0000" :matches "x-d8" "iso8601" "*" { fileinto "x-d8 ${1}"; } else { fileinto "x-d8 none"; }
if date :originalzone :matches "x-d8" "zone" "*" { fileinto "x-d8 z${1}"; }
if date :zone "+0000" :matches "x-d9" "iso8601" "*" { fileinto "x-d9 ${1}"; } else { fileinto "x-d9 none"; }
if date :originalzone :matches "x-d9" "zone" "*" { fileinto "x-d9 z${1}"; }
if date :zone "+0000" :matches "x-d10" "iso8601" "*" { fileinto "x-d10 ${1}"; } else { fileinto "x-d10 none"; }
if date :originalzone :matches "x-d10" "zone" "*" { fileinto "x-d10 z${1}"; }
if date :zone "+0000" :matches "x-d11" "iso8601" "*" { fileinto "x-d11 ${1}"; } else { fileinto "x-d11 none"; }
if date :originalzone :matches "x-d11" "zone" "*" { fileinto "x-d11 z${1}"; }
if date :zone "+0000" :matches "x-d12" "iso8601" "*" { fileinto "x-d12 ${1}"; } else { fileinto "x-d12 none"; }
if date :originalzone :matches "x-d12" "zone" "*" { fileinto "x-d12 z${1}"; }
if date :zone "+0000" :matches "x-d13" "iso8601" "*" { fileinto "x-d13 ${1}"; } else { fileinto "x-d13 none"; }
if date :originalzone :matches "x-d13" "zone" "*" { fileinto "x-d13 z${1}"; }
if date :zone "+0000" :matches "x-d14" "iso8601" "*" { fileinto "x-d14 ${1}"; } else { fileinto "x-d14 none"; }
if date :originalzone :matches "x-d14" "zone" "*" { fileinto "x-d14 z${1}"; }
if date :zone "+0000" :matches "x-d15" "iso8601" "*" { fileinto "x-d15 ${1}"; } else { fileinto "x-d15 none"; }
if date :originalzone :matches "x-d15" "zone" "*" { fileinto "x-d15 z${1}"; }
