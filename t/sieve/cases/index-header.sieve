require ["index", "variables", "fileinto"];
if header :index 2 :matches "x-count" "*" { fileinto "second ${1}"; }
if header :index 1 :last :matches "x-count" "*" { fileinto "last ${1}"; }
if header :index 4 :matches "x-count" "*" { fileinto "wrong"; }
