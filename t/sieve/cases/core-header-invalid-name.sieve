if header :contains "From:" "alice" {
  redirect "colon@example.net";
}
if header :contains "Sub ject" "" {
  redirect "space@example.net";
}
