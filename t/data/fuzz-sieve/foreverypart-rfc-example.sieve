require ["foreverypart", "mime", "fileinto"];
foreverypart
{
    if header :mime :param "filename"
       :matches ["Content-Type", "Content-Disposition"]
         ["*.com", "*.exe", "*.vbs", "*.scr",
          "*.pif", "*.hta", "*.bat", "*.zip" ]
    {
        # these attachment types are executable
        discard;
        break;
    }
    if header :mime :param "filename" :matches "Content-Disposition" "*.pdf" {
        fileinto "pdf";
    }
}
