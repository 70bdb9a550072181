setflag "a";
