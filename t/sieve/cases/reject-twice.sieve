require "reject";
reject "one";
reject "two";
