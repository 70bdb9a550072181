if ihave "fileinto" { keep; }
