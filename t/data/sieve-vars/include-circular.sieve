# RFC 6609 3.1: recursive inclusion is an error when executed
require "include";
keep;
include "loop1";
