include "sub";
