require "variables";
set "0" "frop";
