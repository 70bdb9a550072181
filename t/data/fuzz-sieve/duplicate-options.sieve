require ["duplicate", "variables"];
if duplicate :header "message-id" :handle "h1" :seconds 3600 {
  discard;
}
if header :matches "subject" "*" {
  if duplicate :uniqueid "${1}" :last {
    discard;
  }
}
