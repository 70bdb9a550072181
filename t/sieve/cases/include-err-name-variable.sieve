require ["include", "variables"];
set "n" "spam-tests";
include "${n}";
