# RFC 6609 3.1: a missing script is an error when executed, not at upload
require "include";
discard;
include "missing";
