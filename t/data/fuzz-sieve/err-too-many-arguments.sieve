keep;
discard "now";
