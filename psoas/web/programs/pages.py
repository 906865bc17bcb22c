"""What the plan, exercise and learn pages show, worked out from the plan JSON and the
content catalog: doses in words, the weeks with their dates, what changes from one week to
the next, and who should not do an exercise. Plain functions of plain data, so the views
stay thin and the tests can check the words directly."""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from psoas.core.content.loader import Catalog
from psoas.core.content.models import Exercise
from psoas.core.planning.schedule import program_week
from psoas.core.screening.restrictions import EQUIPMENT_NAMES, matches

CLASSIFICATION_TITLES = {
    "tight": "Your hip flexors look tight",
    "weak": "Your hip flexors look weak",
    "tight_and_weak": "Your hip flexors look tight and weak",
    "unclear": "Your tests did not give a clear answer",
}
KIND_TITLES = {
    "stretch": ("Stretches", "Hold a gentle pull to help the front of the hip lengthen."),
    "strength": ("Strength", "Slow, steady moves that make the hip and its helpers stronger."),
    "release": ("Foam rolling", "Roll slowly over a tight spot to ease it."),
}
KIND_NAMES = {"stretch": "Stretch", "strength": "Strength", "release": "Foam rolling"}
POSITION_NAMES = {
    "supine": "lying on your back",
    "prone": "lying on your front",
    "side_lying": "lying on your side",
    "kneeling": "kneeling",
    "standing": "standing",
    "seated": "sitting",
    "quadruped": "on hands and knees",
    "plank": "in a plank",
}
TARGET_NAMES = {
    "iliopsoas": "iliopsoas (the deep hip flexor)",
    "rectus_femoris": "rectus femoris (front of the thigh)",
    "tensor_fasciae_latae": "TFL (outside of the hip)",
    "adductors": "adductors (inner thigh)",
    "gluteus_maximus": "gluteus maximus (big buttock muscle)",
    "gluteus_medius": "gluteus medius (side of the hip)",
    "hip_external_rotators": "hip rotators (deep in the buttock)",
    "hamstrings": "hamstrings (back of the thigh)",
    "quadriceps": "quadriceps (front of the thigh)",
    "abdominals": "belly muscles",
    "back_extensors": "back muscles",
    "pelvic_floor": "pelvic floor (the floor of the belly)",
}
SIDE_WORDS = {"each": "each side", "both": "both legs together", "none": ""}
GRADE_LABELS = {
    "supported": "Supported by evidence",
    "mixed": "Mixed evidence",
    "unsupported": "Not supported",
}


def plural(n: int | float, word: str) -> str:
    return f"{n:g} {word}" + ("" if n == 1 else "s")


def equipment_words(ids: list[str]) -> str:
    return ", ".join(EQUIPMENT_NAMES.get(i, i.replace("_", " ")) for i in ids)


def dose_words(ex: dict[str, Any], *, rest: bool = True) -> str:
    """A plan exercise's dose in words: "2 sets of 30 seconds, each side, rest 10 s" (the
    player leaves out the rest, which it times itself)."""
    parts = []
    if ex.get("reps"):
        parts.append(f"{plural(ex['sets'], 'set')} of {ex['reps']} reps")
        if ex.get("tempo_s"):
            parts.append(f"{ex['tempo_s']:g} seconds a rep")
        if ex.get("hold_s"):
            parts.append(f"{ex['hold_s']} s pause at the top")
    else:
        parts.append(f"{plural(ex['sets'], 'set')} of {ex['hold_s']} seconds")
    if ex.get("side") == "each":
        parts.append("each side")
    if rest and ex.get("rest_s"):
        parts.append(f"rest {ex['rest_s']} s")
    return ", ".join(parts)


def _span(r: Any, unit: str = "") -> str:
    return f"{r.min}{unit}" if r.min == r.max else f"{r.min} to {r.max}{unit}"


def dosing_range_words(ex: Exercise) -> list[str]:
    """The range the content allows, one line each."""
    d = ex.dosing
    lines = [f"{_span(d.sets)} sets"]
    if d.reps:
        lines.append(f"{_span(d.reps)} reps a set, {d.tempo_s:g} seconds a rep")
        if d.hold_s:
            lines.append(f"a {_span(d.hold_s, ' s')} pause at the top of each rep")
    elif d.hold_s:
        lines.append(f"hold {_span(d.hold_s)} seconds")
    if SIDE_WORDS[d.sides]:
        lines.append(SIDE_WORDS[d.sides])
    if d.rest_s:
        lines.append(f"rest {d.rest_s} s between sets")
    lines.append(f"{_span(d.days_per_week)} days a week")
    return lines


def who_should_not(ex: Exercise, cat: Catalog) -> list[dict[str, str]]:
    """Health conditions, limits and pregnancy rules that keep this exercise out of a
    plan, each named in words with the reason."""
    attrs = ex.attributes
    out = []
    for c in cat.conditions.values():
        rule = next((r for r in c.forbids if matches(attrs, r.match)), None)
        if rule or c.id in ex.contraindications:
            reason = rule.reason if rule else "This exercise is not safe with it."
            out.append({"who": c.name, "why": reason})
    for lim in cat.limits.values():
        rule = next((r for r in lim.forbids if matches(attrs, r.match)), None)
        if rule:
            out.append({"who": lim.name, "why": rule.reason})
    preg = cat.pregnancy
    for label, rules in (
        ("Pregnancy", (*preg.forbids_any_week, *preg.forbids_from_supine_week)),
        ("Soon after birth", preg.postpartum_forbids),
    ):
        rule = next((r for r in rules if matches(attrs, r.match)), None)
        if rule:
            out.append({"who": label, "why": rule.reason})
    return out


DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(d: date) -> str:
    """A date as in "Mon 23 Nov" (in English, whatever the locale of the server)."""
    return f"{DAY_NAMES[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]}"


def _main_session(week: dict[str, Any]) -> dict[str, Any]:
    return max(week["sessions"], key=lambda s: len(s["exercises"]))


def week_changes(prev: dict[str, Any], cur: dict[str, Any]) -> list[str]:
    """What changes from one week to the next, one line per exercise that changes."""
    lines = []
    before, now = _main_session(prev)["exercises"], _main_session(cur)["exercises"]
    for a, b in zip(before, now, strict=False):
        if a["id"] != b["id"]:
            lines.append(f"{a['name']} moves on to {b['name'].lower()}, a harder version.")
            continue
        steps = []
        if b["sets"] > a["sets"]:
            steps.append(f"{plural(b['sets'], 'set')} instead of {a['sets']}")
        if a.get("reps") and b.get("reps") and a["reps"] != b["reps"]:
            steps.append(f"{b['reps']} reps (was {a['reps']})")
        if a.get("hold_s") and b.get("hold_s") and a["hold_s"] != b["hold_s"]:
            what = "pause at the top" if b.get("reps") else "holds"
            steps.append(f"{what} of {b['hold_s']} s (was {a['hold_s']} s)")
        if "ankle_weights" in b["equipment"] and "ankle_weights" not in a["equipment"]:
            steps.append("add light ankle weights")
        if steps:
            lines.append(f"{b['name']}: " + ", ".join(steps) + ".")
    return lines


def plan_view(
    plan_data: dict[str, Any], start: date, scheduled: list[tuple[date, int, int]], today: date
) -> dict[str, Any]:
    """Everything the plan page shows for an `ok` plan: weeks with dates and sessions,
    today's session, the exercises with their why, and the changes week by week."""
    days: dict[tuple[int, int], list[date]] = defaultdict(list)
    for day, week_no, index in scheduled:
        days[(week_no, index)].append(day)
    current = program_week(start, today)
    weeks, seen, exercises = [], set(), []
    today_session = None
    prev = None
    for week in plan_data["weeks"]:
        n = week["week"]
        first = start + timedelta(days=7 * (n - 1))
        sessions = []
        for i, s in enumerate(week["sessions"]):
            dates = sorted(days.get((n, i), []))
            is_today = today in dates
            view = {
                "name": s["name"],
                "times_per_week": s["times_per_week"],
                "minutes": round(s["estimated_minutes"]),
                "dates": [short_date(d) for d in dates],
                "today": is_today,
                "exercises": [{**e, "dose": dose_words(e)} for e in s["exercises"]],
            }
            if is_today:
                today_session = {**view, "week": n}
            sessions.append(view)
            for e in s["exercises"]:
                if e["id"] not in seen:
                    seen.add(e["id"])
                    exercises.append({**e, "from_week": n})
        weeks.append(
            {
                "week": n,
                "first": short_date(first),
                "last": short_date(first + timedelta(days=6)),
                "current": n == current,
                "open": n == min(max(current, 1), len(plan_data["weeks"])),
                "past": n < current,
                "sessions": sessions,
                "changes": week_changes(prev, week) if prev else [],
            }
        )
        prev = week
    end = start + timedelta(days=7 * len(plan_data["weeks"]) - 1)
    upcoming = sorted(d for ds in days.values() for d in ds if d > today)
    return {
        "weeks": weeks,
        "exercises": exercises,
        "today_session": today_session,
        "next_date": short_date(upcoming[0]) if upcoming else None,
        "current_week": current,
        "start": short_date(start),
        "end": short_date(end),
        "not_started": today < start,
        "finished": current > len(plan_data["weeks"]),
    }


def dose_in_plan(plan_data: dict[str, Any], start: date, today: date, ex_id: str):
    """This exercise's dose in the person's plan: this week's if it is in this week, else
    the first week that has it. None when the plan does not use it."""
    weeks = plan_data.get("weeks") or []
    if not weeks:
        return None
    current = min(max(program_week(start, today), 1), len(weeks))
    order = [weeks[current - 1], *weeks]
    for week in order:
        for s in week["sessions"]:
            for e in s["exercises"]:
                if e["id"] == ex_id:
                    return {
                        "week": week["week"],
                        "this_week": week["week"] == current,
                        "session": s["name"],
                        "dose": dose_words(e),
                        "why": e["why"],
                    }
    return None


@functools.cache
def figure_svg(exercise_id: str, animate: bool) -> str:
    """The exercise's drawing (drawn once per process: content does not change)."""
    from psoas.core.content.loader import catalog
    from psoas.core.figure import render_svg

    ex = catalog().exercises[exercise_id]
    if animate:
        return render_svg(ex.illustration, animate=True, title=ex.name, equipment=ex.equipment)
    return render_svg(ex.illustration, animate=False, title=ex.name, equipment=ex.equipment)
