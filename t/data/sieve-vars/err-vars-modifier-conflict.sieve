require "variables";
set :lower :upper "x" "y";
