# RFC 5229 4.1: the modifier examples and precedence
require ["variables", "fileinto"];
set "a" "juMBlEd lETteRS";
set :length "b" "${a}";
fileinto "${b}";
set :lower "b" "${a}";
fileinto "${b}";
set :upperfirst "b" "${a}";
fileinto "${b}";
set :upperfirst :lower "b" "${a}";
fileinto "${b}";
set :quotewildcard "b" "Rock*";
fileinto "${b}";
set :lowerfirst :upper "b" "VaLuE";
fileinto "${b}";
set :length :quotewildcard "b" "^^***??**^^";
fileinto "${b}";
