require "fileinto";
fileinto :copy "Box";
