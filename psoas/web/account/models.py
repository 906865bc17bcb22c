"""What the settings page keeps: the secret link of a person's calendar feed, and the
one-time links that log a phone in."""

from __future__ import annotations

import secrets

from django.conf import settings
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


class PairingLink(models.Model):
    """A one-time link that logs a phone in as a login (`psoas serve --host` prints one
    with a QR code; Settings makes more). Only a hash of its code is kept, so the database
    cannot give a working link away; it works once, until `expires_at`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairing_links"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "phone link"
        verbose_name_plural = "phone links"


class SessionReminder(models.Model):
    """A patient's email reminder on the days their plan has a session (clinic mode):
    the time in their own time zone, and the day it last went out, so it goes once a day.
    No row: no reminder (psoas/core/reminders.py has the rule, account/reminders.py the
    job)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="reminder")
    at = models.TimeField()  # the patient's local time
    zone = models.CharField(max_length=64)  # an IANA time zone, "Europe/London"
    last_sent_on = models.DateField(null=True, blank=True)  # the patient's local date
