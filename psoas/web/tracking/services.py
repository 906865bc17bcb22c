"""Writing what was done. Each exercise is saved in its own transaction the moment it
ends, so a session that is killed loses at most the exercise in progress."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from psoas.web.clinic.alerts import changed as alerts_changed
from psoas.web.programs.models import Person, Plan, ScheduledSession
from psoas.web.tracking.models import SessionLog, SetLog


def start_session(
    person: Person,
    plan: Plan,
    day: date,
    week: int,
    session_index: int,
    *,
    source: str = SessionLog.Source.PLAYER,
    pain_before: int | None = None,
    session: dict[str, Any] | None = None,
) -> SessionLog:
    scheduled = ScheduledSession.objects.filter(plan=plan, date=day).first()
    return SessionLog.objects.create(
        person=person,
        plan=plan,
        scheduled=scheduled,
        date=day,
        week=week,
        session_index=session_index,
        status=SessionLog.Status.IN_PROGRESS,
        source=source,
        pain_before=pain_before,
        session=session,
    )


def record_sets(session: SessionLog, rows: list[dict[str, Any]]) -> list[SetLog]:
    """Save the sets of one finished exercise together: all of them or none."""
    with transaction.atomic():
        return SetLog.objects.bulk_create(
            SetLog(person_id=session.person_id, session=session, week=session.week, **row)
            for row in rows
        )


def record_exercise(
    session: SessionLog, exercise_id: str, rows: list[dict[str, Any]]
) -> tuple[list[SetLog], bool]:
    """Save one finished exercise of a session, once: (its set rows, whether they are new).

    An exercise appears at most once in a session, so (session, exercise) names the save.
    A resend of the same exercise (a retry after a lost answer, a player page reloaded, an
    offline outbox sent again) returns the rows already saved instead of adding duplicates.
    The session row is locked first, so two resends at once cannot both write (PostgreSQL;
    SQLite lets one writer in at a time anyway)."""
    with transaction.atomic():
        SessionLog.objects.select_for_update().filter(pk=session.pk).first()
        existing = list(session.sets.filter(exercise_id=exercise_id).order_by("id"))
        if existing:
            return existing, False
        saved = record_sets(session, [{**r, "exercise_id": exercise_id} for r in rows])
        if any(r.status == SetLog.Status.STOPPED_FOR_PAIN for r in saved):
            alerts_changed(session.person_id)  # a pain stop alerts the clinic at once
        return saved, True


def close_interrupted(person: Person, today: date, keep: date | None = None) -> int:
    """End the sessions a crash left in progress (a killed terminal, a closed tab, a lost
    phone) on an earlier day than `today`, other than on `keep` (the day being started,
    which resumes instead): each becomes "interrupted" with its saved sets kept, and
    finished when its last set was saved. Returns how many were closed."""
    stale = SessionLog.objects.filter(
        person=person, status=SessionLog.Status.IN_PROGRESS, date__lt=today
    )
    if keep is not None:
        stale = stale.exclude(date=keep)
    return _interrupt(stale)


def _interrupt(logs: Any) -> int:
    closed = 0
    with transaction.atomic():
        for log in logs.select_for_update():
            last = log.sets.order_by("-created_at").values_list("created_at", flat=True).first()
            log.status = SessionLog.Status.INTERRUPTED
            log.finished_at = last or log.started_at
            log.save(update_fields=["status", "finished_at"])
            closed += 1
    return closed


def resumable(person: Person, plan: Plan, day: date) -> SessionLog | None:
    """The latest player session of `day` on `plan` still in progress, to carry on where
    it stopped. Any other left in progress that day (an earlier crash, an older plan) is
    closed as interrupted, so one day never keeps two sessions open."""
    running = list(
        SessionLog.objects.filter(
            person=person, date=day, status=SessionLog.Status.IN_PROGRESS
        ).order_by("-started_at", "-id")
    )
    resumed = next(
        (
            log
            for log in running
            if log.plan_id == plan.id and log.source == SessionLog.Source.PLAYER
        ),
        None,
    )
    _interrupt(SessionLog.objects.filter(pk__in=[x.pk for x in running if x is not resumed]))
    return resumed


def finish_session(session: SessionLog, status: str, pain_after: int | None = None) -> None:
    session.status = status
    session.pain_after = pain_after
    session.finished_at = timezone.now()
    session.save(update_fields=["status", "pain_after", "finished_at"])
    alerts_changed(session.person_id)  # a session saved: pain stop, completion, gaps


def log_done_session(
    person: Person,
    plan: Plan,
    day: date,
    week: int,
    session_index: int,
    rows: list[dict[str, Any]],
    *,
    pain_before: int | None,
    pain_after: int | None,
    notes: str = "",
) -> SessionLog:
    """A session done away from the app, written in one transaction: whole or not at all."""
    with transaction.atomic():
        session = start_session(
            person,
            plan,
            day,
            week,
            session_index,
            source=SessionLog.Source.MANUAL,
            pain_before=pain_before,
        )
        session.notes = notes
        session.save(update_fields=["notes"])
        record_sets(session, rows)
        finish_session(session, SessionLog.Status.COMPLETED, pain_after)
    return session
