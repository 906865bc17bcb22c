"""Clinic alerts: rules over one patient's records, and the order of a clinician's worklist.

Pure functions over plain values (issue 12, "Worklist and alerts"): the store fills a
`Records` from its rows, `evaluate` says which alerts fire as of a given day, and
`worklist_row` / `worklist_order` give the figures a worklist shows and the order by need.
The store persists alerts by their `key` (rule + the first day of the episode), so the same
condition does not fire twice while it lasts. docs/clinic.md explains each rule.
"""
