if header :is "x-folded" "first part  second part	third part" {
  redirect "tab-kept@example.net";
}
if header :is "x-folded" "first part  second part third part" {
  redirect "tab-as-space@example.net";
}
if header :contains "x-folded" "part  second" {
  redirect "spaces-kept@example.net";
}
