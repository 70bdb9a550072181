if header :is :comparator "i;ascii-numeric" "x-priority" "3" {
  discard;
}
