require "fileinto";
fileinto "Work/Reports/2025";
