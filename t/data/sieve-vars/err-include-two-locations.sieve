require "include";
include :global :personal "sub";
