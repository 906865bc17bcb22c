"""One clip a clinician uploaded for a patient, and what the coach found in it.

The video is kept only until its job has read it: `video` holds the bytes in the database
(so any worker can read them) and is emptied when the analysis ends, done or failed. What
stays is the `psoas.analysis/1` result (or the reason it failed), with who uploaded it,
when, and for which exercise and side. The `person` field puts it under clinic mode's
scope guard like every other record of a patient's. The name of the uploaded file is never
kept: `public_id` names the upload in links.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from psoas.web.programs.models import Person


class ClipAnalysis(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for its turn"
        RUNNING = "running", "Being analysed"
        DONE = "done", "Done"
        FAILED = "failed", "Could not be analysed"

    public_id = models.CharField(max_length=32, unique=True)  # random: the link's id
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="clip_analyses")
    # None once the uploader's account is gone; their name at the time stays.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploader_name = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(default=timezone.now)
    exercise = models.CharField(max_length=100)
    side = models.CharField(max_length=5)
    crop = models.CharField(max_length=50, blank=True)  # "X,Y,W,H" or empty
    suffix = models.CharField(max_length=8)  # ".mp4": how the decoder should read the bytes
    video = models.BinaryField(null=True)  # None once the job has read it
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.TextField(blank=True)  # why it failed, in one line
    result = models.JSONField(null=True)  # the psoas.analysis/1 report
    finished_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["person", "uploaded_at"])]
        ordering = ["-uploaded_at", "-id"]
