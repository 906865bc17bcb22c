"""Sessions: start one, save each exercise the moment it ends (its sets in one
transaction, so a closed tab loses at most the exercise in progress), finish it; and a
session done away from the app, logged whole (`psoas log`)."""

from __future__ import annotations

from datetime import date

from ninja import Router
from ninja.errors import HttpError

from psoas.web.api.common import BODY_ERRORS, DbId, answers, invalid, plan_or_404
from psoas.web.api.schemas import (
    ExerciseIn,
    ExerciseOut,
    FinishIn,
    FinishOut,
    LogIn,
    LogOut,
    SessionStartIn,
    SessionStartOut,
)
from psoas.web.programs.models import Person
from psoas.web.site.people import person_for
from psoas.web.tracking.coaching import finish_exercise
from psoas.web.tracking.day import begin_session, day_session, log_day
from psoas.web.tracking.models import SessionLog
from psoas.web.tracking.queries import NotInWeek
from psoas.web.tracking.services import finish_session
from psoas.web.tracking.services import record_exercise as save_exercise_once
from psoas.web.tracking.warning_signs import api_answer

router = Router(tags=["sessions"])


def open_session(person: Person, session_id: int) -> SessionLog:
    """The person's own session, still in progress: another person's id is a 404, exactly
    like an id that does not exist, so ids reveal nothing about other people."""
    session = SessionLog.objects.filter(person=person, pk=session_id).first()
    if session is None:
        raise HttpError(404, f"session_id: no session {session_id} for you")
    if session.status != SessionLog.Status.IN_PROGRESS:
        raise HttpError(409, f"session_id: session {session_id} is already {session.status}")
    return session


@router.post("/sessions", response=answers(SessionStartOut, *BODY_ERRORS, 404, 409))
def start(request, payload: SessionStartIn):
    """Start the day's session after the safety check: `none_of_these: true`, or the
    warning signs answered yes in `red_flags` (they stop the program instead). Without an
    answer nothing starts (422)."""
    flags, problem = api_answer(payload.red_flags, payload.none_of_these)
    if problem:  # a missing answer is never read as "none"
        raise invalid(["body", "payload", "none_of_these"], problem)
    person = person_for(request)
    plan = plan_or_404(person)
    day = payload.date or date.today()
    started = begin_session(person, plan, day, pain_before=payload.pain_before, red_flags=flags)
    if started["status"] == "refer":
        return {"status": "refer", "date": day, "referral": started["referral"]}
    if started["status"] != "started":
        nxt = f"; next session: {started['next_date']}" if started["next_date"] else ""
        raise HttpError(409, f"date: no session planned for {day.isoformat()}{nxt}")
    return {
        "status": "started",
        "session_id": started["log"].id,
        "date": day,
        "week": started["week"],
        "session_index": started["session_index"],
        "session": started["session"],
    }


@router.post(
    "/sessions/{session_id}/exercises", response=answers(ExerciseOut, *BODY_ERRORS, 404, 409)
)
def record_exercise(request, session_id: DbId, payload: ExerciseIn):
    """The sets of one finished exercise, saved together or not at all. Saving is
    idempotent: an exercise already saved in this session is not saved again; the answer
    gives the rows kept and `created: false`, so a client may resend safely."""
    session = open_session(person_for(request), session_id)
    rows = [
        {**s.model_dump(), "effort": s.effort or "", "dose_week": payload.dose_week}
        for s in payload.sets
    ]
    saved, created = save_exercise_once(session, payload.exercise_id, rows)
    finish_exercise(session, payload.exercise_id)  # what the camera counted, if it was on
    return {
        "session_id": session.id,
        "exercise_id": payload.exercise_id,
        "saved": len(saved),
        "created": created,
    }


@router.post("/sessions/{session_id}/finish", response=answers(FinishOut, *BODY_ERRORS, 404, 409))
def finish(request, session_id: DbId, payload: FinishIn):
    session = open_session(person_for(request), session_id)
    finish_session(session, payload.status, payload.pain_after)
    return {
        "session_id": session.id,
        "status": session.status,
        "pain_after": session.pain_after,
        "finished_at": session.finished_at,
    }


@router.post("/logs", response=answers(LogOut, *BODY_ERRORS, 404, 409))
def log(request, payload: LogIn):
    """Like `psoas log`: the day's session (or the chosen exercises of that week) done as
    planned. On a rest day or after the plan ends it counts in the nearest plan week."""
    person = person_for(request)
    plan = plan_or_404(person)
    day = payload.date or date.today()
    info = day_session(person, plan, day, act=True)
    if info["status"] == "refer":
        return {"status": "refer", "date": day, "referral": info["referral"]}
    if info["status"] == "not_started":
        raise HttpError(
            409, f"date: {day.isoformat()} is before your plan starts ({info['plan_start']})"
        )
    try:
        saved, _week, sets = log_day(
            person,
            plan,
            day,
            info,
            exercises=payload.exercises,
            effort=payload.effort,
            pain_during=payload.pain_during,
            pain_before=payload.pain_before,
            pain_after=payload.pain_after,
            notes=payload.notes,
        )
    except NotInWeek as exc:
        raise invalid(["body", "payload", "exercises", exc.position], str(exc)) from None
    return {"status": "logged", "session_id": saved.id, "date": day, "sets": sets}
