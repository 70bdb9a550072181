require "variables";
set "a" "ok";
set "name." "frop";
