require ["include"];
include :global "spam-tests";
include :personal "spam-tests";
include "redirect-once";
