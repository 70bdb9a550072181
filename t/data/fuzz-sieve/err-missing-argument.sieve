keep;
redirect;
