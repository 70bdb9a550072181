# the block under a false ihave is not validated
require "ihave";
if ihave "nonexistent" { frobnicate "x"; } else { keep; }
if not ihave "nonexistent2" { discard; }
