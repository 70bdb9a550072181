# a hash comment; discard;
/* a bracketed
   comment over lines; discard; */
if /* inline */ header :contains "subject" "report" # trailing
{
  redirect /* here too */ "a#b@example.net";
  redirect "c/*d*/@example.net";
}
