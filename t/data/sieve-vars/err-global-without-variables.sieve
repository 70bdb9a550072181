require "include";
global "g";
