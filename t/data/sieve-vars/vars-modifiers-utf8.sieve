# :upper/:lower change ASCII letters only, :length counts characters
require ["variables", "fileinto"];
set :upper "u" "héllo wörld";
set :length "l" "héllo";
set :upperfirst "f" "élan";
fileinto "${u}|${l}|${f}";
