require ["envelope", "subaddress", "fileinto"];

if envelope :user "to" "postmaster" {
    fileinto "inbox.postmaster";
    stop;
}

if envelope :detail "to" "mta-filters" {
    fileinto "inbox.ietf-mta-filters";
}

if envelope :detail "to" "foo" {
    redirect "ken@example.net";
}
