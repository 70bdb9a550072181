require "envelope";
if envelope :is "x-bogus" "a" {
  discard;
}
