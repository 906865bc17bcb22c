"""What a clinician's program editor offers: the exercises that may take an exercise's
place, and those that may join the program, for this person in every week of the plan.

These are offers, not the check: an edit made from them still goes through `apply_edits`,
which runs the planner's safety rules on the whole new plan (a dose that climbs too fast,
a session that runs too long). Swaps leave out what the rules would refuse anyway (an
exercise the person's conditions, limits, pregnancy, steadiness or equipment rule out in
any week of the plan) and what plans never pick (library-only entries). Additions list the
ruled-out exercises apart, with why: a few rules (a hip replacement's precautions) a
clinician may overrule with a reason, and the check says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psoas.core.content.loader import Catalog
from psoas.core.content.models import Exercise
from psoas.core.planning.checks import situation_weeks
from psoas.core.planning.selection import blocked_reasons, can_pick
from psoas.core.screening.restrictions import restrictions_for

MAX_STEPS = 2  # substitutes and variants of the exercise, and theirs


def plan_ids(plan: Mapping[str, Any]) -> list[str]:
    """The exercises in the plan, in the order they first come."""
    ids = (e["id"] for w in plan.get("weeks", []) for s in w["sessions"] for e in s["exercises"])
    return list(dict.fromkeys(ids))


def blocked_in_plan(
    plan: Mapping[str, Any], profile: Any, cat: Catalog, days_on: int = 0
) -> dict[str, str]:
    """Exercise id -> why it is out, in any week of the plan's situation."""
    weeks = sorted({s for w in plan.get("weeks", []) for s in situation_weeks(w["week"], days_on)})
    out: dict[str, str] = {}
    for w in weeks or [0]:
        for ex_id, reason in blocked_reasons(cat, restrictions_for(profile, cat, w)).items():
            out.setdefault(ex_id, reason)
    return out


def swap_choices(
    plan: Mapping[str, Any], ex_id: str, profile: Any, cat: Catalog, days_on: int = 0
) -> list[Exercise]:
    """What may take `ex_id`'s place: its substitutes, easier and harder variants (and
    theirs), nearest first, allowed in every week and not in the plan already."""
    blocked = blocked_in_plan(plan, profile, cat, days_on)
    used = set(plan_ids(plan))
    ex = cat.exercises[ex_id]
    found: list[Exercise] = []
    frontier, seen = [ex], {ex_id}
    for _step in range(MAX_STEPS):
        nxt = []
        for cur in frontier:
            for other in [*cur.substitutes, *cur.regressions, *cur.progressions]:
                if other in seen:
                    continue
                seen.add(other)
                cand = cat.exercises[other]
                nxt.append(cand)
                if can_pick(cand, blocked, used, set()):
                    found.append(cand)
        frontier = nxt
    return found


def add_choices(
    plan: Mapping[str, Any], profile: Any, cat: Catalog, days_on: int = 0
) -> tuple[list[Exercise], list[tuple[Exercise, str]]]:
    """What may join the plan, by name: the exercises allowed in every week and not in it
    yet; and, apart, those the person's rules keep out, each with why (a clinician may
    overrule a few of those rules with a reason, and the check says which)."""
    blocked = blocked_in_plan(plan, profile, cat, days_on)
    used = set(plan_ids(plan))
    free = [ex for ex in cat.exercises.values() if ex.id not in used and ex.library_note is None]
    free.sort(key=lambda e: e.name)
    return (
        [ex for ex in free if ex.id not in blocked],
        [(ex, blocked[ex.id]) for ex in free if ex.id in blocked],
    )
