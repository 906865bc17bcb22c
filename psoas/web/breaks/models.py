"""A person's move-break settings and each break event (a prompt and what came of it).

The settings are one JSON row per person, written only through services.save_settings,
which checks them against the core's BreakSettings; the events are what the core's
scheduler and statistics read, so both the web app and `psoas breaks run` write here and
each sees what the other did (no double reminders)."""

from __future__ import annotations

from django.db import models

from psoas.core.breaks.model import EVENT_KINDS
from psoas.web.programs.models import Person


class BreakConfig(models.Model):
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="break_config")
    settings = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)


class BreakLog(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="break_logs")
    at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=[(k, k) for k in EVENT_KINDS])
    until = models.DateTimeField(null=True, blank=True)  # for "quiet"
    source = models.CharField(max_length=20, blank=True)  # "web", "cli", "desktop", "idle"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["person", "at"])]
