if address :detail "to" "x" { stop; }
