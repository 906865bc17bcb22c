"""Reading the store for the day's session and the person's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from psoas.core.planning.schedule import program_week
from psoas.web.programs.models import Person, Plan
from psoas.web.programs.versions import plan_on
from psoas.web.tracking.models import SessionLog


def session_on(plan: Plan, day: date) -> dict[str, Any]:
    """What the plan holds for a day, in the version in force that day: a session, a rest
    day, or the end of the plan."""
    data = plan_on(plan, day)
    out: dict[str, Any] = {"date": day.isoformat(), "plan_start": plan.start_date.isoformat()}
    week = program_week(plan.start_date, day)
    nxt = plan.scheduled.filter(date__gt=day).order_by("date").first()
    out["next_date"] = nxt.date.isoformat() if nxt else None
    if day < plan.start_date:
        return {**out, "status": "not_started", "week": None}
    if week > len(data["weeks"]):
        return {**out, "status": "plan_finished", "week": week}
    slot = plan.scheduled.filter(date=day).first()
    if slot is None:
        return {**out, "status": "rest_day", "week": week}
    session = data["weeks"][slot.week - 1]["sessions"][slot.session_index]
    return {
        **out,
        "status": "session",
        "week": slot.week,
        "session_index": slot.session_index,
        "session": session,
    }


def counted(log: SessionLog) -> list[dict[str, Any]]:
    """What the camera counted in a session, per exercise and side (history)."""
    return [
        {
            "exercise_id": run.exercise_id,
            "side": run.side,
            "reps": run.reps,
            "holds": run.holds,
            "hold_s": round(run.hold_s, 1),
            "saved": run.result is not None,
        }
        for run in log.coach_runs.all()
    ]


def history(person: Person, limit: int | None = None) -> list[dict[str, Any]]:
    logs = SessionLog.objects.filter(person=person).order_by("-date", "-started_at")
    if limit:
        logs = logs[:limit]
    out = []
    for log in logs.prefetch_related("sets", "coach_runs"):
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
                "coach": counted(log),
            }
        )
    return out


def planned_rows(session: dict[str, Any], **extra: Any) -> list[dict]:
    """Set rows for exercises done exactly as planned (a manual log)."""
    rows = []
    for ex in session["exercises"]:
        sides = ("left", "right") if ex["side"] == "each" else (ex["side"],)
        sets = [(n, side) for n in range(1, ex["sets"] + 1) for side in sides]
        if ex.get("focus_side"):  # one more set on the side that tested worse
            sets.append((ex["sets"] + 1, ex["focus_side"]))
        for n, side in sets:
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
                    "dose_week": ex.get("dose_week"),
                    **extra,
                }
            )
    return rows


def plan_records(plan: Plan, day: date) -> dict[str, Any]:
    """What autoregulation reads for a plan up to a day: the sets done (as the core's
    SetLog), the check-ins, the pain baseline, the scheduled days and the slots that may
    take an ankle weight. The day's session and the end of a block both read it."""
    from psoas.core.planning.autoregulation import CheckIn
    from psoas.core.planning.autoregulation import SetLog as Done
    from psoas.core.planning.planner import weight_slots
    from psoas.core.profile import parse_profile
    from psoas.web.outcomes.models import PainCheckin
    from psoas.web.tracking.models import SetLog

    rows = SetLog.objects.filter(session__plan=plan, session__date__lte=day).values_list(
        "session__date",
        "week",
        "exercise_id",
        "side",
        "planned_reps",
        "reps_done",
        "planned_hold_s",
        "hold_s_done",
        "pain_during",
        "effort",
        "status",
        "dose_week",
    )
    logs = [
        Done(
            d,
            w,
            ex,
            side,
            pr,
            rd,
            ph,
            hd,
            pain or 0,
            effort or "about_right",
            status == "stopped_for_pain",
            dose,
        )
        for d, w, ex, side, pr, rd, ph, hd, pain, effort, status, dose in rows
    ]
    checkins = [
        CheckIn(d, n, tuple(flags))
        for d, n, flags in PainCheckin.objects.filter(
            person_id=plan.person_id, date__gte=plan.start_date, date__lte=day
        ).values_list("date", "nprs", "red_flags")
    ]
    first = PainCheckin.objects.filter(person_id=plan.person_id).order_by("date", "id").first()
    baseline = (plan.profile.data.get("pain") or {}).get("nprs")
    if baseline is None and first is not None:
        baseline = first.nprs
    return {
        "logs": logs,
        "check_ins": checkins,
        "baseline_nprs": baseline,
        "scheduled": list(plan.scheduled.values_list("date", flat=True)),
        "today": day,
        "weights": weight_slots(plan.data, parse_profile(plan.profile.data)),
    }


def adjusted_session(plan: Plan, day: date) -> dict[str, Any]:
    """The day's session after autoregulation: `session_on` plus the program week and
    per-exercise doses that the rules pick from how the last sessions went."""
    from psoas.core.planning.autoregulation import autoregulate, next_session, slots

    info = session_on(plan, day)
    if info["status"] != "session":
        return info
    data = plan_on(plan, day)
    decision = autoregulate(data, **plan_records(plan, day))
    if decision.stop:
        return {**info, "status": "stop", "red_flags": list(decision.red_flags)}
    nxt = next_session(data, decision, info["session_index"], week=info["week"])
    slot_of = slots(data)
    exercises = []
    for ex in nxt.exercises:
        d = decision.exercises[slot_of[ex["id"]]]
        entry = {**ex, "dose_week": d.dose_week}
        if d.action == "add_weight" and "ankle_weights" not in ex["equipment"]:
            # the gate is met: the weight comes now
            entry["equipment"] = [*ex["equipment"], "ankle_weights"]
        exercises.append(entry)
    base = info["session"]
    from psoas.core.player.timeline import Dose, session_seconds

    seconds = session_seconds([Dose.from_plan(e) for e in exercises])
    today_slots = {slot_of[e["id"]] for e in exercises}
    changes = [
        {"id": d.exercise_id, "action": d.action, "dose_week": d.dose_week, "reason": d.reason}
        for d in decision.exercises.values()
        if d.action != "continue" and d.exercise_id in today_slots
    ]
    return {
        **info,
        "week": decision.week,
        "session": {**base, "exercises": exercises, "estimated_minutes": round(seconds / 60, 1)},
        "messages": list(decision.messages),
        "changes": changes,
        "dropped": list(nxt.dropped),
    }


class NotInWeek(ValueError):
    """An exercise named for a manual log that the plan does not have that week."""

    def __init__(self, position: int, exercise_id: str, week: int):
        self.position, self.exercise_id, self.week = position, exercise_id, week
        super().__init__(f"'{exercise_id}' is not in week {week} of your plan")


def logged_session(
    plan: dict[str, Any], info: dict[str, Any], exercises: list[str] | None
) -> tuple[int, int, dict[str, Any]]:
    """(week, session index, session) for a session done away from the app: the day's
    session; on a rest day or after the plan, the nearest week's first session; with
    `exercises`, only those, taken from any session of that week."""
    if info["status"] == "session":
        week, index, session = info["week"], info["session_index"], info["session"]
    else:
        week = min(info["week"], len(plan["weeks"]))
        index, session = 0, plan["weeks"][week - 1]["sessions"][0]
    if not exercises:
        return week, index, session
    this_week = {e["id"]: e for s in plan["weeks"][week - 1]["sessions"] for e in s["exercises"]}
    for n, ex_id in enumerate(exercises):
        if ex_id not in this_week:
            raise NotInWeek(n, ex_id, week)
    return week, index, {"exercises": [this_week[i] for i in dict.fromkeys(exercises)]}
