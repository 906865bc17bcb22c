"""What the settings page keeps for a person: the secret link of their calendar feed."""

from __future__ import annotations

import secrets

from django.db import models

from psoas.web.programs.models import Person


def new_token() -> str:
    """192 random bits, URL-safe: a link that cannot be guessed."""
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret part of `/calendar/<token>.ics`. One per person; making a new link
    replaces the token, so the old link stops working at once."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "calendar link"
        verbose_name_plural = "calendar links"
