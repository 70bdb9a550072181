if header :matches "from" "*@*.com*" {
  redirect "multi@example.net";
}
