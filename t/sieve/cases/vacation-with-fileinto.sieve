require ["vacation", "fileinto"];
fileinto "Away";
vacation :subject "Out of office" "Back Monday";
