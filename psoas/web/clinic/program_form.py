"""The program editor's forms: what each offers (from the core's choices and the content's
dose ranges) and how a posted form becomes the core's change set.

One form makes one change (a swap, an addition, a removal, a dose, the dates), with its
reason, so every version says why. A refused change comes back with the core's
violations; each one a clinician may overrule gets its own reason box, named for exactly
that rule and exercise, and only a filled box overrules it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import QueryDict

from psoas.core.content.loader import Catalog
from psoas.core.content.models import Exercise
from psoas.core.planning.checks import Violation
from psoas.core.planning.edits import EditError, EditSet, parse_edits

ACTIONS = ("swap", "add", "remove", "dose", "dates")
OVERRIDE = "override:"  # the reason box for one rule and exercise: override:<rule>:<exercise>
DOSE_FIELDS = (("sets", "Sets", "sets"), ("reps", "Reps", "reps"), ("hold_s", "Hold", "seconds"))


def override_name(rule: str, exercise: str | None) -> str:
    return f"{OVERRIDE}{rule}:{exercise or ''}"


def dose_fields(ex: Exercise, entry: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The dose boxes for an exercise: the ones its content has, each with its range."""
    out = []
    for key, label, unit in DOSE_FIELDS:
        r = getattr(ex.dosing, key)
        if r is None:
            continue
        out.append(
            {
                "name": key,
                "label": label,
                "unit": unit,
                "min": r.min,
                "max": r.max,
                "value": (entry or {}).get(key),
            }
        )
    return out


def _number(value: str, field: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise EditError(field, f"type a whole number, not {value[:20]!r}")
    return int(value)


def _day(value: str, field: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise EditError(field, "type a date like 2026-03-01") from None


def _weeks(post: QueryDict) -> list[int] | None:
    weeks = sorted({int(w) for w in post.getlist("weeks") if w.isdigit()})
    return weeks or None


def change_set(post: QueryDict, cat: Catalog) -> EditSet:
    """The change set a posted form asks for; EditError names the field when it is wrong
    (a field of the form: `to`, `sets`, `reason`, ...)."""
    action = post.get("action", "")
    if action not in ACTIONS:
        raise EditError("action", f"one of {', '.join(ACTIONS)}")
    data: dict[str, Any] = {"reason": post.get("reason", "").strip()}
    overrides = []
    for key, reason in post.items():
        if key.startswith(OVERRIDE) and reason.strip():
            rule, _, exercise = key[len(OVERRIDE) :].rpartition(":")
            overrides.append({"rule": rule, "exercise": exercise, "reason": reason.strip()})
    data["overrides"] = overrides
    if action == "dates":
        data["start_date"] = _day(post.get("start_date", ""), "start_date")
        data["review_date"] = _day(post.get("review_date", ""), "review_date")
        if data["start_date"] is None and data["review_date"] is None:
            raise EditError("start_date", "give a start date, a review date or both")
        return _parsed(data)
    change: dict[str, Any] = {
        "kind": action,
        "exercise": post.get("exercise", ""),
        "weeks": _weeks(post),
    }
    if action == "swap":
        change["to"] = post.get("to", "")
    if action == "add":
        change["sessions"] = [_number(post.get("session", "") or "1", "session")]
    if action == "dose":
        for key, _label, _unit in DOSE_FIELDS:
            value = _number(post.get(key, ""), key)
            if value is not None:
                change[key] = value
    data["changes"] = [change]
    return _parsed(data)


def _parsed(data: dict[str, Any]) -> EditSet:
    try:
        return parse_edits(data)
    except EditError as err:
        raise EditError(form_field(err.field), str(err).split(": ", 1)[1]) from None


def form_field(field: str) -> str:
    """The form's field for a field of the change set: `changes.0.swap.to` is `to`, a dose
    with no number is `sets`, an override's too-short reason is `overrides`."""
    parts = [p for p in re.split(r"[.\[\]]+", field) if p and not p.isdigit()]
    if not parts:
        return "action"
    if parts[0] == "overrides":
        return "overrides"
    return {"dose": "sets", "changes": "action"}.get(parts[-1], parts[-1])


def violation_rows(
    violations: tuple[Violation, ...], post: QueryDict, cat: Catalog
) -> list[dict[str, Any]]:
    """The core's refusal as the page shows it: each rule broken, in its own words, with a
    reason box for those a clinician may overrule (kept as typed)."""
    rows = []
    for v in violations:
        name = override_name(v.rule, v.exercise)
        ex = cat.exercises.get(v.exercise or "")
        rows.append(
            {
                "message": v.message,
                "week": v.week,
                "exercise": ex.name if ex else None,
                "overridable": v.overridable,
                "field": name if v.overridable else None,
                "typed": post.get(name, ""),
            }
        )
    return rows
