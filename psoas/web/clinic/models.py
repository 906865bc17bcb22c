"""A clinic, its staff and their roles, each patient's care team, and invitations.

Staff can belong to several clinics, with one role in each. A patient (a Person with a
login) belongs to one clinic and has a primary clinician and possibly others. Pages and
URLs name a patient by `public_id`, a random string: never a row number, a name or an
email. An invitation keeps only a hash of its one-time code.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from psoas.web.programs.models import Person


def new_public_id() -> str:
    """96 random bits, URL-safe: says nothing about the patient and cannot be guessed."""
    return secrets.token_urlsafe(12)


class Role(models.TextChoices):
    ADMIN = "admin", "clinic admin"
    CLINICIAN = "clinician", "clinician"
    PATIENT = "patient", "patient"


STAFF_ROLES = (Role.ADMIN, Role.CLINICIAN)


class Clinic(models.Model):
    name = models.CharField(max_length=200, unique=True)
    # Per-clinic alert thresholds (the alert rules come later); empty means the defaults.
    alert_thresholds = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A staff member's place in a clinic: one role per clinic."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_memberships"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in STAFF_ROLES])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "clinic"], name="one_role_per_clinic")
        ]


class Patient(models.Model):
    """A person as a clinic's patient: the clinic, the care team, and the answers the
    clinician gave at the invitation (shown in the intake as theirs)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="clinic_patient")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id)
    primary_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_patients"
    )
    other_clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shared_patients"
    )
    clinician_answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # `objects` is scoped like every model of people's rows (scope.py); `all_rows` is for
    # scope.py alone, which must read the care teams to know what the scope is.
    objects = models.Manager()
    all_rows = models.Manager()

    class Meta:
        indexes = [models.Index(fields=["clinic", "primary_clinician"])]


class Invitation(models.Model):
    """A single-use link to make an account in a clinic, until `expires_at`."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=Role.choices)
    email = models.EmailField()
    code_hash = models.CharField(max_length=64, unique=True)
    # The emailed link's own code (the worker makes it, invitations.email_link): either
    # link uses the one invitation. None until an email was sent.
    mail_code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # None when the operator made it with `psoas clinic init` or `psoas clinic invite`.
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    # For a patient: the primary clinician, and the conditions and limits they know of.
    primary_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations_for_patients",
    )
    conditions = models.JSONField(default=list, blank=True)
    limits = models.JSONField(default=list, blank=True)


class ApiToken(models.Model):
    """A personal key to the JSON API for a script or another app (api_tokens.py): only a
    hash of it is kept, so the database cannot give it away; it ends at `expires_at`, or
    when its owner revokes it (the row goes)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=60)  # what the owner calls it
    key_hash = models.CharField(max_length=64, unique=True)  # sha256 of the key, hex
    shown = models.CharField(max_length=16)  # the key's first characters, to tell keys apart
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()


class Alert(models.Model):
    """One episode of an alert rule for a patient (psoas.core.alerts), as the clinician
    handles it: open, then acknowledged (seen, being dealt with), then resolved.

    `key` is the core's dedup key (the rule, the sign and the episode's first day): one
    row per patient and key, written once and never changed by a later evaluation, so an
    episode that ended stays as it was fired until someone resolves it. `person` makes the
    row guarded like every person's row (scope.py); `public_id` names it in URLs."""

    class Status(models.TextChoices):
        OPEN = "open", "open"
        ACKNOWLEDGED = "acknowledged", "acknowledged"
        RESOLVED = "resolved", "resolved"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="clinic_alerts")
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id)
    key = models.CharField(max_length=120)
    rule = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)  # critical | high | low
    level = models.CharField(max_length=20, null=True, blank=True)  # a red flag's action level
    flag = models.CharField(max_length=60, null=True, blank=True)  # the sign's id
    since = models.DateField()
    fired_on = models.DateField()
    message = models.TextField()
    evidence = models.JSONField(default=list)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledge_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolve_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="one_alert_per_episode")
        ]
        indexes = [models.Index(fields=["person", "status"])]


class WorklistEntry(models.Model):
    """A patient's worklist figures (psoas.core.alerts.worklist_row) as of `as_of`, kept by
    the alert evaluation that runs on each write that matters and in the periodic sweep, so
    the worklist reads one row per patient instead of a year of records."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="worklist_entry")
    as_of = models.DateField()
    figures = models.JSONField()
    # The core's order by need (worklist.need) as one text that sorts the same way, with
    # the open alerts of the time, so the page reads one page of rows in that order.
    need = models.CharField(max_length=80, default="")
    has_alerts = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["need"])]
