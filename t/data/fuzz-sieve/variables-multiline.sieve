require ["variables", "fileinto", "encoded-character"];
set "honorific" "Mr";
set "last_name" "Coyote";
set "vacation" text:
Dear ${HONORIFIC} ${last_name},
.
;
if string :is "${vacation}" "Dear Mr Coyote,${hex:0D 0A}" {
  fileinto "crlf";
}
