# a filter as a webmail editor writes it
require ["fileinto"];
if header :contains "subject" "invoice" {
    fileinto "Finance";
} elsif address :domain :is "from" "lists.example.org" {
    fileinto "Lists/Example";
    stop;
}
if size :over 1M {
    discard;
}
