require ["reject"];
if header :contains "from" "alice@example.com" {
   reject text:
I am not taking mail from you, and I don't
want your birthday cards either.
.
;
}
