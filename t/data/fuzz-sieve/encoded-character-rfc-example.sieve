require ["encoded-character", "fileinto"];
if header :contains "Subject" "$${hex:24 24}" {
   discard;
}
fileinto "1[$${hex:40}]2[${hex: 40 }]3[${HEX: 40}]4[${hex:40]5[${hex:400}]6[${hex:4${hex:30}}]";
fileinto "7[${unicode:40}]8[${ unicode:40}]9[${UNICODE:40}]10[${UnICoDE:0000040}]11[${Unicode:40}]12[${Unicode:Cool}]";
