# a cycle closed by :once compiles; the inner include is skipped
require "include";
include "oloop1";
