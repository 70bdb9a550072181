require ["include", "variables"];
set "n" "sub";
include "${n}";
