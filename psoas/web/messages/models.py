"""Messages between a patient and their care team (clinic mode), and who has read each.

A thread is a patient's: every message carries the patient's `person`, so the clinic's
scope guard (clinic/scope.py) filters messages like any other record of theirs, and a
thread of another clinic's patient is simply not found. The text is plain text, kept as
typed; pages escape it when they show it.

Read receipts are per reader: each reader who has seen a message has a `MessageRead`, so
one clinician reading a patient's message does not mark it read for another.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from psoas.web.programs.models import Person


class Message(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="messages")
    # None once the author's account is gone: the message stays in the patient's thread.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="messages_written",
    )
    from_patient = models.BooleanField()
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["person", "created_at"])]
        ordering = ["created_at", "id"]


class MessageRead(models.Model):
    """One reader having seen one message (a read receipt)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_read"
    )
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "reader"], name="one_read_per_reader")
        ]
