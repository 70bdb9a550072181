# RFC 6609: :personal (default), :global, :once, :optional, return, and
# global variables shared while locals stay per script
require ["variables", "include", "fileinto"];
global "g";
set "g" "G1";
set "global.h" "H1";
set "l" "main-local";
include "sub";
include :personal "sub";
include :once "sub";
include :global "spam";
include :optional "missing";
fileinto "main:${g}:${l}:${global.h}";
