require "fileinto";
fileinto "Bücher/Éte";
