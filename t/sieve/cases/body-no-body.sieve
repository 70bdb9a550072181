require "body";
if body :raw :contains "" {
  redirect "wrong@example.net";
}
if not body :text :matches "*" {
  redirect "no-body@example.net";
}
