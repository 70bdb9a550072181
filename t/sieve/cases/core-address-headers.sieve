if allof (address :is "bcc" "peggy@example.org",
          address :is "sender" "sec@example.com",
          address :is "resent-from" "victor@example.com",
          address :localpart :is "reply-to" "replies+list") {
  redirect "all-headers@example.net";
}
