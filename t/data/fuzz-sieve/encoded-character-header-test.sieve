require ["encoded-character"];
if header :contains "subject" "${hex:51}uarterly" {
  redirect "encoded-key@example.net";
}
