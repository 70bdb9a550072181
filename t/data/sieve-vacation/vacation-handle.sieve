require "vacation";
if header :contains "subject" "report" {
    vacation :handle "ran-away" :subject "Out" :from "bob@example.org"
        "I'm out and can't meet for lunch";
} else {
    vacation :handle "ran-away" "I'm out";
}
