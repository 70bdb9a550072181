require ["fileinto", "variables"];
if address :matches ["To", "Cc"] ["coyote@**.com", "bob@**.org"] {
  fileinto "INBOX.business.${2}.${1}.${0}";
  stop;
}
