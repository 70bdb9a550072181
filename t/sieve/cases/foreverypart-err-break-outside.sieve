require ["foreverypart"];
break;
