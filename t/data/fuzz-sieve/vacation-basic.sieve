require ["vacation"];
vacation "I'm away until October 19.";
