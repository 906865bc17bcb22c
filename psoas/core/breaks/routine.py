"""What a move break is: a short walk, or one or two standing exercises from the person's
own plan, timed to fit the break.

The safety guarantee is that nothing outside the plan's week is ever picked: the plan
already obeys every rule for the person (pregnancy, a hip replacement, a limit, missing
equipment), week by week. As a second belt, each pick is checked again against the
rules for the person in that week, and a check can only take an exercise away.

The picks are standing exercises (the point is to get up from the chair) that need
nothing but a chair: a standing hip-flexor stretch and standing knee lifts first. A pick
is timed with the player's own timeline; when the plan's dose does not fit the break it
is shortened (one set, then fewer reps, never below BREAK_MIN_REPS, never a shorter
hold), never lengthened. Walking breaks help most in the studies (research notes 8), so
the walk is always there: it is the break when no exercise fits, when the plan refers, or
when the program is stopped.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal

from psoas.core.content.loader import Catalog
from psoas.core.player.timeline import Dose, session_seconds
from psoas.core.screening.restrictions import restrictions_for

BREAK_MIN_REPS = 5  # a break may cut reps to this, never lower (nor below the plan's own)
DESK_EQUIPMENT = frozenset({"chair"})  # what a person has at their desk
HIP_FLEXORS = frozenset({"iliopsoas"})
MIN_SECONDS = 60  # a break is at least a minute

# Own words, read by a person on the move: US grade 6 or below (tests/test_breaks_core.py).
WALK_CUES = (
    "Stand up slowly. Take a few easy steps.",
    "Walk at a pace where you can still talk.",
    "Go to the kitchen, down the hall, or up and down the stairs.",
    "No room to walk? March in place by your desk.",
    "Let your arms swing. Stand tall and breathe out slowly.",
    "Stop and sit down if you feel dizzy or have pain.",
)
WALK_SOURCES = (
    {
        "title": "Bailey & Locke 2015, J Sci Med Sport 18:294 (research notes 8)",
        "fact": "Light walking breaks lowered blood sugar after meals; standing breaks alone "
        "did not. So a break walks, where it can.",
    },
    {
        "title": "Duran et al. 2023, Med Sci Sports Exerc (research notes 8)",
        "fact": "Breaks of 1 to 5 minutes of light walking every 30 to 60 minutes lowered "
        "blood pressure; 5 minutes every 30 lowered blood sugar.",
    },
    {
        "title": "Research notes 8, product defaults for move breaks",
        "fact": "A break is 2 to 5 minutes of light walking or movement; a hip flexor stretch "
        "is one option, not the only one. 'Walk at a pace where you can still talk' keeps "
        "it light (the talk test).",
    },
)
WALK_WHY = "A short walk is the best break from sitting."
NO_PLAN = "You have no plan yet, so your break is a short walk."
REFER = "Your answers say to see a clinician first. Until then, your break is a short walk."
NO_FIT = "None of your plan's standing exercises fits this break, so it is a short walk."
PICKED = "Picked from your own plan."


@dataclass(frozen=True)
class Routine:
    """One break. "exercises": plan entries (the keys of a plan's exercise) the players
    play as a session; "walk": a walk of `seconds` with its cues."""

    kind: Literal["exercises", "walk"]
    seconds: int
    why: str
    exercises: tuple[dict[str, Any], ...] = ()
    cues: tuple[str, ...] = ()

    def session(self) -> dict[str, Any]:
        """The break as a plan session, for the session players."""
        return {
            "name": "Move break",
            "times_per_week": None,
            "estimated_minutes": math.ceil(self.seconds / 60),
            "exercises": [dict(e) for e in self.exercises],
        }


def walk(break_min: int, why: str = WALK_WHY) -> Routine:
    return Routine("walk", break_min * 60, why, cues=WALK_CUES)


def plan_week(plan: Mapping[str, Any], week: int | None) -> int:
    """The week kept inside the plan: before it starts, its first; after it ends, its last."""
    return min(max(week or 1, 1), len(plan["weeks"]))


def week_entries(plan: Mapping[str, Any], week: int) -> list[dict[str, Any]]:
    """The exercises of one week of the plan, each id once."""
    chosen = next(w for w in plan["weeks"] if w["week"] == week)
    out: dict[str, dict[str, Any]] = {}
    for s in chosen["sessions"]:
        for e in s["exercises"]:
            out.setdefault(e["id"], e)
    return list(out.values())


def desk_ready(entry: Mapping[str, Any], cat: Catalog, rules: Any) -> bool:
    """Standing, nothing needed but a chair, and the person's rules for the week allow it."""
    ex = cat.exercises.get(entry["id"])
    return (
        ex is not None
        and entry.get("position") == "standing"
        and ex.movement.position == "standing"
        and entry.get("kind") in ("stretch", "strength")
        and set(entry.get("equipment", ())) <= DESK_EQUIPMENT
        and rules.reason_against(ex) is None
    )


def rank(entry: Mapping[str, Any], cat: Catalog) -> int:
    """The usual picks first: a hip-flexor stretch, then hip-flexor strength (knee lifts)."""
    hip = bool(HIP_FLEXORS & set(cat.exercises[entry["id"]].targets))
    return {("stretch", True): 0, ("strength", True): 1}.get((entry["kind"], hip), 2)


def shorter(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The entry at its plan dose, then shorter: one set (no extra set on one side), then
    fewer reps. Never more than the plan, never a shorter hold."""
    yield entry
    one = {**entry, "sets": 1, "focus_side": None}
    if one != entry:
        yield one
    reps = entry.get("reps")
    if reps is not None:
        for r in range(reps - 1, min(reps, BREAK_MIN_REPS) - 1, -1):
            yield {**one, "reps": r}


def seconds(entries: Sequence[Mapping[str, Any]]) -> float:
    """How long the player takes over these entries, as it times a session."""
    return session_seconds([Dose.from_plan(e) for e in entries])


def fitting(picks: Sequence[dict[str, Any]], budget: int) -> list[dict[str, Any]] | None:
    """The longest doses of these picks (shortened as little as needed) that fit."""
    best: tuple[float, list[dict[str, Any]]] | None = None
    variants = [list(shorter(p)) for p in picks]
    for combo in _product(variants):
        s = seconds(combo)
        if MIN_SECONDS <= s <= budget and (best is None or s > best[0]):
            best = (s, combo)
    return None if best is None else [_noted(a, b) for a, b in zip(picks, best[1], strict=True)]


def _product(variants: list[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    if not variants:
        yield []
        return
    for head in variants[0]:
        for rest in _product(variants[1:]):
            yield [head, *rest]


def _noted(plan_entry: Mapping[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """Say so when a break does less than the plan's dose."""
    if entry == plan_entry:
        return dict(entry)
    amount = f"{entry['reps']} reps" if entry["reps"] is not None else f"{entry['hold_s']} s"
    side = " on each side" if entry["side"] == "each" else ""
    return {**entry, "why": f"{entry['why']} In a break: 1 set of {amount}{side}."}


def options(entries: list[dict[str, Any]], cat: Catalog, budget: int) -> list[list[dict]]:
    """Every break the picks allow, the usual picks first: pairs, then single exercises."""
    ranked = sorted(entries, key=lambda e: rank(e, cat))
    pairs = (fitting(list(p), budget) for p in combinations(ranked, 2))
    singles = (fitting([e], budget) for e in ranked)
    return [o for o in (*pairs, *singles) if o is not None]


def break_routine(
    plan: Mapping[str, Any] | None,
    profile: Any,
    cat: Catalog,
    break_min: int,
    week: int | None = None,
    *,
    stopped: str | None = None,
    turn: int = 0,
) -> Routine:
    """The break for this person now: exercises from their plan's `week` (1-based; None
    is the first) that fit `break_min` minutes, or a walk. `stopped` says why the program
    is stopped (walking only); `turn` (say, the breaks taken today) varies the pick."""
    if stopped:
        return walk(break_min, stopped)
    if plan is None or plan.get("status") != "ok" or not plan.get("weeks"):
        return walk(break_min, REFER if plan is not None else NO_PLAN)
    n = plan_week(plan, week)
    rules = restrictions_for(profile, cat, n - 1)
    ready = [e for e in week_entries(plan, n) if desk_ready(e, cat, rules)]
    found = options(ready, cat, break_min * 60)
    if not found:
        return walk(break_min, NO_FIT)
    picked = found[turn % len(found)]
    return Routine("exercises", math.ceil(seconds(picked)), PICKED, tuple(picked))
