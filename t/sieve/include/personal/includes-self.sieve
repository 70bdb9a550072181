require "include";
include :personal "includes-self";
