# RFC 6609 global variables: sets the global "folder"
require ["variables", "include"];
global "folder";
set "folder" "Reports/${folder}";
