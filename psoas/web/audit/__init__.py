"""The clinic's audit trail (who viewed or changed which patient's records, when, from
where), staff downloads of a patient's files, and a clinic patient's erasure with what
the clinic keeps. docs/clinic.md, "Audit trail" and "Deleting a patient's data"."""
