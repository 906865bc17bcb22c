"""What was done: a session log and one row per set and side, planned against done."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from psoas.web.programs.models import Person, Plan, ScheduledSession

PAIN = [MinValueValidator(0), MaxValueValidator(10)]


class SessionLog(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"
        STOPPED_FOR_PAIN = "stopped_for_pain"
        QUIT = "quit"
        # Left in progress by a crash or a killed player on an earlier day, and closed
        # by the next start (services.close_interrupted); its saved sets stay.
        INTERRUPTED = "interrupted"

    class Source(models.TextChoices):
        PLAYER = "player"
        MANUAL = "manual"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="session_logs")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="session_logs")
    scheduled = models.ForeignKey(
        ScheduledSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    date = models.DateField()
    week = models.PositiveSmallIntegerField()
    session_index = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    pain_before = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN)
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN)
    notes = models.TextField(blank=True)
    # The session as it was when started, after autoregulation: what a player plays, even
    # when a later write (this session's own sets) would change the day's adjustment.
    session = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "started_at"]
        indexes = [
            models.Index(fields=["person", "date"]),
            # the newest finish, which every page view reads for the data revision
            # (site/freshness.py): one index step instead of a pass over every session
            models.Index(fields=["person", "finished_at"]),
        ]


class SetLog(models.Model):
    class Status(models.TextChoices):
        DONE = "done"
        SKIPPED = "skipped"
        STOPPED_FOR_PAIN = "stopped_for_pain"
        QUIT = "quit"

    class Effort(models.TextChoices):
        TOO_EASY = "too_easy"
        ABOUT_RIGHT = "about_right"
        TOO_HARD = "too_hard"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="set_logs")
    session = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="sets")
    exercise_id = models.CharField(max_length=60)
    week = models.PositiveSmallIntegerField()  # program week
    dose_week = models.PositiveSmallIntegerField(null=True, blank=True)  # plan week of the dose
    set_number = models.PositiveSmallIntegerField()
    side = models.CharField(max_length=5)  # left | right | both | none
    planned_reps = models.PositiveSmallIntegerField(null=True, blank=True)
    reps_done = models.PositiveSmallIntegerField(null=True, blank=True)
    planned_hold_s = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_s_done = models.FloatField(null=True, blank=True)
    pain_during = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN)
    effort = models.CharField(max_length=12, choices=Effort.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "id"]
        indexes = [models.Index(fields=["person", "exercise_id"])]


class CoachRun(models.Model):
    """The camera coach on one exercise and side of a session: what it has seen so far,
    and, once the exercise is saved, what it counted (beside the plan's sets).

    `state` is the core Coach's `state()` (JSON text, psoas/core/coach/state.py). It lives
    in the store, not in one app server's memory, so the next batch of landmarks may reach
    any server; only the server reads and writes it (the browser never sees it). `t0` is
    the first frame's time as the browser sent it, so the coach's own times start at 0."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="coach_runs")
    session = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="coach_runs")
    exercise_id = models.CharField(max_length=60)
    side = models.CharField(max_length=5)  # left | right: the working side
    t0 = models.FloatField()
    state = models.TextField()  # emptied once the exercise is saved
    reps = models.PositiveIntegerField(default=0)
    holds = models.PositiveIntegerField(default=0)
    hold_s = models.FloatField(default=0.0)  # seconds held, the holds finished
    # psoas.analysis/1 of the run, set when the exercise is saved; null while it goes on.
    result = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "exercise_id", "side"], name="one_coach_run_per_side"
            )
        ]
