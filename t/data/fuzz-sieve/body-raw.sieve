require "body";
if body :raw :contains "Content-Transfer-Encoding: base64" {
  redirect "raw-headers@example.net";
}
if body :raw :contains "secret treasure" {
  redirect "raw-decoded@example.net";
}
if body :raw :contains "Caf=E9" {
  redirect "raw-qp@example.net";
}
