"""Writing what was done. Each exercise is saved in its own transaction the moment it
ends, so a session that is killed loses at most the exercise in progress."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

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
        return record_sets(session, [{**r, "exercise_id": exercise_id} for r in rows]), True


def finish_session(session: SessionLog, status: str, pain_after: int | None = None) -> None:
    session.status = status
    session.pain_after = pain_after
    session.finished_at = timezone.now()
    session.save(update_fields=["status", "pain_after", "finished_at"])


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
