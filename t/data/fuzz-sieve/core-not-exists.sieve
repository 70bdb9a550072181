if not exists "x-spam-flag" {
  redirect "notspam@example.net";
}
