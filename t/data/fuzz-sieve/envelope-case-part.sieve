require "envelope";
if envelope :all :is "FROM" "alice@example.com" {
  discard;
}
