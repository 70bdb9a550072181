require ["encoded-character", "variables", "fileinto"];
set "name" "Ethelbert";
fileinto "dear${hex:20 24 7b 4e}ame}";
