require "vacation";
vacation :days 23 :addresses ["tjs@example.edu", "ts4z@landru.example.edu"]
         :subject "Away" :from "Bob <bob@example.org>" :handle "summer"
         "I'm away until October 19.";
