"""Move breaks for desk workers (issue 15): the reminder scheduler, the break routine and
the day's statistics. Pure: times come in as arguments, nothing here reads a clock."""
