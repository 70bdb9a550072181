require "include";
include "sub/x";
