"""People, every version of their profile, the plans made from them, and the schedule.

Every row belongs to a person: local mode has one, clinic mode (later) many.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Person(models.Model):
    name = models.CharField(max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name or f"person {self.pk}"


class ProfileVersion(models.Model):
    """A profile as the person gave it; a change is a new version, never an overwrite."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="profiles")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="profile_version_unique")
        ]
        ordering = ["person", "version"]


class Plan(models.Model):
    """The plan JSON (psoas.plan/1) with the profile version that produced it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="plans")
    profile = models.ForeignKey(ProfileVersion, on_delete=models.PROTECT, related_name="plans")
    data = models.JSONField()
    start_date = models.DateField()
    active = models.BooleanField(default=True)
    # The number of the version `data` is (versions.py): 1 until a clinician edits it, so
    # a plan nobody edited needs no look-up of its versions.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "-created_at"]
        indexes = [models.Index(fields=["person", "active"])]


class ProgramVersion(models.Model):
    """One version of a plan (psoas.plan/1) as a clinician left it, in force from
    `valid_from` until the next version's day. Version 1 is the plan as it was made, kept
    when the first edit comes; the plan's own `data` is always its newest version, so the
    schedule, the logs and the blocks stay tied to one program (versions.py)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="program_versions")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    valid_from = models.DateField()
    # Who changed it and why; blank for version 1 (the planner made it).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="program_versions",
    )
    reason = models.TextField(blank=True)
    overrides = models.JSONField(default=list, blank=True)  # the rules it overruled, and why
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_number_per_version")
        ]


class ScheduledSession(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="scheduled")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="scheduled")
    date = models.DateField()
    week = models.PositiveSmallIntegerField()
    session_index = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["plan", "date"], name="one_session_a_day")]
        indexes = [models.Index(fields=["person", "date"])]


class BlockReview(models.Model):
    """The end of a block (a plan's six weeks): the re-test beside the block's start, the
    next blocks that were open, and the one the person chose. `choice` stays blank until
    they choose; "see_clinician" keeps the block open to choose again later."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="block_reviews")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    date = models.DateField()
    before = models.JSONField()
    after = models.JSONField()
    review = models.JSONField()
    choice = models.CharField(max_length=20, blank=True)
    start_date = models.DateField(null=True, blank=True)
    chosen_at = models.DateTimeField(null=True, blank=True)  # a data revision (freshness)
    next_plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "date", "created_at"]
        indexes = [models.Index(fields=["person", "plan"])]
