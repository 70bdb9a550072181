require "vacation";
vacation :from "not an address" "x";
