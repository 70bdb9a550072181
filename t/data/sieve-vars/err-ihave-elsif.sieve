require "ihave";
if ihave "nonexistent" { frobnicate "x"; }
elsif true { frobnicate "y"; }
