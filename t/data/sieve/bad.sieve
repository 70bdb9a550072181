require ["fileinto"];
if header :contains "subject" "x" {
    fileinto "A";
}
frobnicate "y";
