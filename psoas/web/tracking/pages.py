"""What the today page and the browser player show, apart from the HTTP: the person the
pages act for, the day's state in words, the start form's checks, and the player's data.

The player's timeline is the core's (`session_steps`), so the browser times exactly
what the terminal player times; only the drawing and the clock live in JavaScript."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from psoas.core.content.loader import catalog
from psoas.core.content.models import Coached, Exercise
from psoas.core.figure import render_svg
from psoas.core.player.machine import doses_from_plan_session
from psoas.core.player.timeline import session_steps
from psoas.web.programs.block_info import block_end, block_label, current_block
from psoas.web.programs.models import Person, Plan
from psoas.web.programs.pages import dose_words, plural
from psoas.web.programs.versions import plan_on
from psoas.web.tracking.day import begin_session, day_session, log_day
from psoas.web.tracking.models import SessionLog
from psoas.web.tracking.warning_signs import ANSWER, read_check


def minutes_words(minutes: float) -> str:
    whole = max(1, round(minutes))
    return f"about {plural(whole, 'minute')}"


def block_context(plan: Plan, day: date) -> dict[str, Any]:
    """The block in force in words ("Block 2, week 3 of 6"; nothing before a first block
    starts) and, once its re-test is due, what Today says about the block's end."""
    block = current_block(plan, day)
    shown = block["week"] is not None or block["number"] > 1
    return {
        "block_label": block_label(block) if shown else "",
        "block_end": block_end(plan, day),
    }


def sessions_today(person: Person, day: date) -> tuple[SessionLog | None, SessionLog | None]:
    """(a player session still in progress today, a session finished today)."""
    logs = SessionLog.objects.filter(person=person, date=day).order_by("-started_at")
    running = logs.filter(status=SessionLog.Status.IN_PROGRESS).first()
    done = logs.exclude(status=SessionLog.Status.IN_PROGRESS).first()
    return running, done


def parse_score(raw: str | None) -> tuple[int | None, str | None]:
    """A 0-10 score from a form: (score, None) or (None, the error in words)."""
    if raw is None or raw.strip() == "":
        return None, "Choose a number from 0 to 10."
    try:
        value = int(raw)
    except ValueError:
        return None, "Choose a whole number from 0 to 10."
    if not 0 <= value <= 10:
        return None, "Choose a number from 0 to 10."
    return value, None


def read_start_form(
    data: Any, questions: list[Any]
) -> tuple[list[str], int | None, dict[str, str]]:
    """(warning signs the person has, pain now, errors by field name: `warning_signs` for
    the one-screen check, `pain`)."""
    flags, problem = read_check(data, questions)
    errors = {ANSWER: problem} if problem else {}
    pain, problem = parse_score(data.get("pain"))
    if problem:
        errors["pain"] = problem
    return flags, pain, errors


def start_today(
    person: Person, plan: Plan, day: date, flags: list[str], pain: int | None
) -> dict[str, Any]:
    """Start the day's session as `POST /api/sessions` does. Returns {"status": "refer",
    "referral"} or {"status": "started", "session_id"} or the day's other status."""
    started = begin_session(person, plan, day, pain_before=pain, red_flags=flags)
    if started["status"] == "started":
        return {"status": "started", "session_id": started["log"].id}
    return started


def log_today(
    person: Person, plan: Plan, day: date, pain_after: int | None, effort: str | None
) -> dict[str, Any]:
    """What `POST /api/logs` does for the whole day's session done away from the app."""
    info = day_session(person, plan, day, act=True)
    if info["status"] == "refer":
        return {"status": "refer", "referral": info["referral"]}
    if info["status"] == "not_started":
        return {"status": "not_started"}
    saved, _week, sets = log_day(person, plan, day, info, effort=effort, pain_after=pain_after)
    return {"status": "logged", "session_id": saved.id, "sets": sets}


def played_session(log: SessionLog) -> dict[str, Any]:
    """The session this log was started with; for a log from before sessions were stored,
    the session of that week in the version of the plan in force that day."""
    if log.session:
        return log.session
    weeks = plan_on(log.plan, log.date).get("weeks") or []
    week = weeks[min(log.week, len(weeks)) - 1]
    sessions = week["sessions"]
    return sessions[min(log.session_index, len(sessions) - 1)]


def timeline(session: dict[str, Any]) -> list[dict[str, Any]]:
    """The core's steps as plain JSON for the page."""
    return [asdict(step) for step in session_steps(doses_from_plan_session(session))]


def player_data(log: SessionLog, session: dict[str, Any]) -> dict[str, Any]:
    """Everything the page's script needs: the steps, each exercise's words and picture,
    and which exercises the server already has (a reload resumes after them)."""
    saved = sorted(set(log.sets.values_list("exercise_id", flat=True)))
    return {
        "session_id": log.id,
        "date": log.date.isoformat(),
        "week": log.week,
        "block": block_label(current_block(log.plan, log.date)),
        "steps": timeline(session),
        "exercises": exercise_items(session),
        "saved": saved,
        "api": f"/api/sessions/{log.id}",
    }


def coach_words(item: Exercise | None) -> dict[str, Any]:
    """What the page says about the camera for an exercise: whether it can coach it, the
    view it needs, or, from the exercise's content, why not."""
    if item is None:
        return {"can": False, "why": "This is not an exercise from the catalog."}
    rules = item.coach
    if isinstance(rules, Coached):
        return {"can": True, "view": rules.view, "mode": rules.mode}
    return {"can": False, "why": rules.why}


def exercise_items(session: dict[str, Any]) -> list[dict[str, Any]]:
    """Each exercise's words and animated picture, as the player shows them (a session, or
    a move break played as one)."""
    cat = catalog()
    exercises = []
    for ex in session["exercises"]:
        item = cat.exercises.get(ex["id"])
        name = item.name if item else ex.get("name", ex["id"])
        exercises.append(
            {
                "id": ex["id"],
                "name": name,
                "dose": dose_words(ex, rest=False),
                "dose_week": ex.get("dose_week"),
                "cues": list(item.cues[:3]) if item else [],
                "breathing": item.breathing if item else "",
                "coach": coach_words(item),
                "svg": render_svg(
                    item.illustration, animate=True, title=name, equipment=item.equipment
                )
                if item
                else "",
            }
        )
    return exercises
