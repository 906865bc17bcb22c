"""A clinician's batch of PDF reports: one job per patient, a progress page, the files."""
