require "include";
include :once "oloop2";
keep;
