require ["variables"];
set "state" "${state} pending";
if string :matches " ${state} " "* pending *" {
  redirect "always@example.net";
}
if string :is "" "" {
  redirect "empty@example.net";
}
