require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "year" "*" { set "y" "${1}"; }
if date :originalzone :matches "date" "month" "*" { set "m" "${1}"; }
if date :originalzone :matches "date" "day" "*" { set "d" "${1}"; }
if date :originalzone :matches "date" "date" "*" { set "date" "${1}"; }
if date :originalzone :matches "date" "julian" "*" { set "jd" "${1}"; }
if date :originalzone :matches "date" "hour" "*" { set "h" "${1}"; }
if date :originalzone :matches "date" "minute" "*" { set "mi" "${1}"; }
if date :originalzone :matches "date" "second" "*" { set "s" "${1}"; }
if date :originalzone :matches "date" "time" "*" { set "t" "${1}"; }
if date :originalzone :matches "date" "zone" "*" { set "z" "${1}"; }
if date :originalzone :matches "date" "weekday" "*" { set "wd" "${1}"; }
fileinto "${y}-${m}-${d} ${date} ${jd} ${h}:${mi}:${s} ${t} ${z} ${wd}";
