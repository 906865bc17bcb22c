"""Move breaks in the store and the browser (issue 15): each person's break settings and
every prompt and its outcome, shared by the web app and `psoas breaks`."""
