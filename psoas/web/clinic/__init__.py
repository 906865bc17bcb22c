"""Clinic mode: clinics, their staff, patients' care teams, invitations, and the one place
that says whose records a user may see (scope.py). See docs/clinic.md."""
