require ["envelope", "fileinto"];
if envelope :localpart :is "from" "" {
    fileinto "bounces";
}
if envelope :is "to" "orig@example.org" {
    fileinto "via-orig";
}
