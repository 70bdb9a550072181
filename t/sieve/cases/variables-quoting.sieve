require ["variables", "fileinto"];
set "foo" "F";
fileinto "1${fo\o}";
fileinto "2${fo\\o}";
fileinto "3\${foo}";
fileinto "4\\${foo}";
