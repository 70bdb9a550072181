require ["editheader"];
addheader "X-Sieve-Filtered" "<kim@job.example.com>";
addheader :last "X-Trailer" "last one";
