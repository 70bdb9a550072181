require ["fileinto", "envelope"];
require "reject";
fileinto "A";
