"""Exports of a person's records in open formats: CSV tables, a FHIR R4 bundle and an
iCalendar file of the program.

Plain modules over the store's models, not a Django app: they own no tables. The CLI
(`psoas export`) calls them now and the web app will call the same functions later, so a
file downloaded from either is the same.
"""
