require ["extracttext", "variables"];
keep;
