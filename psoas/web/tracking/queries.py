"""Reading the store for the day's session and the person's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from psoas.core.planning.schedule import program_week
from psoas.web.programs.models import Person, Plan
from psoas.web.tracking.models import SessionLog


def session_on(plan: Plan, day: date) -> dict[str, Any]:
    """What the plan holds for a day: a session, a rest day, or the end of the plan."""
    out: dict[str, Any] = {"date": day.isoformat(), "plan_start": plan.start_date.isoformat()}
    week = program_week(plan.start_date, day)
    nxt = plan.scheduled.filter(date__gt=day).order_by("date").first()
    out["next_date"] = nxt.date.isoformat() if nxt else None
    if day < plan.start_date:
        return {**out, "status": "not_started", "week": None}
    if week > len(plan.data["weeks"]):
        return {**out, "status": "plan_finished", "week": week}
    slot = plan.scheduled.filter(date=day).first()
    if slot is None:
        return {**out, "status": "rest_day", "week": week}
    session = plan.data["weeks"][slot.week - 1]["sessions"][slot.session_index]
    return {
        **out,
        "status": "session",
        "week": slot.week,
        "session_index": slot.session_index,
        "session": session,
    }


def history(person: Person, limit: int | None = None) -> list[dict[str, Any]]:
    logs = SessionLog.objects.filter(person=person).order_by("-date", "-started_at")
    if limit:
        logs = logs[:limit]
    out = []
    for log in logs.prefetch_related("sets"):
        out.append(
            {
                "id": log.id,
                "date": log.date.isoformat(),
                "week": log.week,
                "status": log.status,
                "source": log.source,
                "pain_before": log.pain_before,
                "pain_after": log.pain_after,
                "sets": [
                    {
                        "exercise_id": s.exercise_id,
                        "set_number": s.set_number,
                        "side": s.side,
                        "planned_reps": s.planned_reps,
                        "reps_done": s.reps_done,
                        "planned_hold_s": s.planned_hold_s,
                        "hold_s_done": s.hold_s_done,
                        "pain_during": s.pain_during,
                        "effort": s.effort or None,
                        "status": s.status,
                    }
                    for s in log.sets.all()
                ],
            }
        )
    return out


def planned_rows(session: dict[str, Any], **extra: Any) -> list[dict]:
    """Set rows for exercises done exactly as planned (a manual log)."""
    rows = []
    for ex in session["exercises"]:
        sides = ("left", "right") if ex["side"] == "each" else (ex["side"],)
        for n in range(1, ex["sets"] + 1):
            for side in sides:
                rows.append(
                    {
                        "exercise_id": ex["id"],
                        "set_number": n,
                        "side": side,
                        "planned_reps": ex["reps"],
                        "reps_done": ex["reps"],
                        "planned_hold_s": ex["hold_s"] if ex["reps"] is None else None,
                        "hold_s_done": ex["hold_s"] if ex["reps"] is None else None,
                        "status": "done",
                        **extra,
                    }
                )
    return rows
