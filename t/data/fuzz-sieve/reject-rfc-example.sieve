require ["reject"];

if header :contains "from" "Alice" {
    reject text:
I am not taking mail from you, and I don't
want your birdseed, either!
.
    ;
}
