require ["environment"];
if allof (environment :contains "name" "",
          environment :contains "version" "",
          environment :is "location" ["MTA", "MDA", "MUA", "MS"],
          environment :is "phase" ["pre", "during", "post"]) {
  redirect "known@example.net";
}
