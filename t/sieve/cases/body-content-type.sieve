require "body";
if body :content "text/html" :contains "<b>plan</b>" {
  redirect "html@example.net";
}
if body :content "text" :contains "Café near the harbour" {
  redirect "qp-latin1@example.net";
}
if body :content "application/pdf" :contains "secret treasure" {
  redirect "base64@example.net";
}
if body :content "image" :contains "" {
  redirect "wrong@example.net";
}
