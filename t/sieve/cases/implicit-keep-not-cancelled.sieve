require ["vacation", "enotify", "copy", "fileinto"];
vacation "away";
notify "mailto:watch@example.com";
redirect :copy "copy@example.net";
fileinto :copy "Archive";
