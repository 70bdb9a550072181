require ["editheader", "fileinto", "variables"];
addheader "X-Hello" "World";
if header :contains "X-Hello" "World"
{
        set "a" "international";
}
deleteheader "subject";
if not exists "subject" {
  set "b" "-no-subject";
}
fileinto "${a}${b}";
