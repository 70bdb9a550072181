require ["date", "relational", "fileinto"];
if anyof(date :is "received" "weekday" "0",
         date :is "received" "weekday" "6")
{ fileinto "weekend"; }
if date :is :zone "+0100" "received" "weekday" "1" {
  fileinto "monday";
}
