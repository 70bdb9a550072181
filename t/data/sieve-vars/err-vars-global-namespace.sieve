require "variables";
set "global.x" "no include required";
