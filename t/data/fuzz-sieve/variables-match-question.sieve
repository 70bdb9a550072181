require ["fileinto", "variables"];
if header :matches "subject" "Q?arterly * for ??" {
  fileinto "${1}-${002}-${3}${4}-${9}";
}
