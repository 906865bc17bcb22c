"""A clinician's upload of a patient's exercise clip, analysed by a job (clinic mode only):
the upload and its result (models), the job (tasks), the pages (views). See docs/clinic.md,
"Clips"."""
