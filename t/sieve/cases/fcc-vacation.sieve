require ["vacation", "fcc"];
vacation :fcc "Sent" "I'm away until October 19.";
