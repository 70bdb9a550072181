# RFC 5463: ihave loads the extension for the block
require "ihave";
if ihave "fileinto" { fileinto "has-fileinto"; }
if ihave ["fileinto", "nonexistent"] { frobnicate "x"; }
