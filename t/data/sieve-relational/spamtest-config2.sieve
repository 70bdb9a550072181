require ["spamtestplus", "virustest", "fileinto", "variables", "relational", "comparator-i;ascii-numeric"];
if spamtest :matches "*" { fileinto "s-${1}"; }
if spamtest :percent :matches "*" { fileinto "p-${1}"; }
if virustest :matches "*" { fileinto "v-${1}"; }
