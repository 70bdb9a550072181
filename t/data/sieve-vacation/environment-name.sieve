require ["environment"];
if environment "name" "sluice" { discard; }
