require ["environment"];
if environment :contains "no-such-item" "" { discard; }
