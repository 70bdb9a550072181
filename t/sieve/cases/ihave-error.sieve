require ["ihave"];
discard;
if not ihave "x-no-such-extension" {
  error "x-no-such-extension is needed";
}
