# RFC 5463 4: ihave never enables variables or encoded-character
require ["ihave", "fileinto"];
if ihave "variables" { set "a" "b"; fileinto "wrong"; }
if ihave "encoded-character" { fileinto "wrong2"; }
