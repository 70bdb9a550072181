require ["variables", "fileinto"];
set :upper "x" "mixed Case ü";
fileinto "${x}";
set :lowerfirst "x" "ABC";
fileinto "${x}";
set :quotewildcard "x" "a?b\\c*";
fileinto "${x}";
set :length "x" "Grüße";
fileinto "${x}";
