require "variables";
set :frob "a" "x";
