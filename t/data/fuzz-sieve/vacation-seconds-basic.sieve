require ["vacation-seconds"];
vacation :seconds 7200 "Back in two hours";
