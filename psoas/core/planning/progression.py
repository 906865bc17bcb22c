"""Six weeks of dosing for one exercise: a ladder of steps from the low end of its range.

Each step changes one or two things at a time (longer holds, more reps, one more set, then
ankle weights or a harder variant), following the research notes' progression proposal
(research/clinical.md 4.2: start where the work is easy and pain-free, progress one
variable at a time). The planner climbs one rung a week while the session still fits the
person's time; a rung it cannot afford is held, and the `why` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from psoas.core.content.models import Exercise, Range

WEEKS = 6


@dataclass(frozen=True)
class Rung:
    exercise: Exercise
    sets: int
    reps: int | None
    hold_s: int | None
    ankle_weights: bool = False
    note: str = ""


def _plus_one(r: Range) -> int:
    return min(r.min + 1, r.max)


def _mid(r: Range | None) -> int | None:
    return None if r is None else (r.min + r.max) // 2


HOLD_STEP_S = 5  # a stretch hold grows by 5 s at a time


def _stretch_rungs(ex: Exercise) -> list[Rung]:
    """Holds grow 5 s a week for three weeks, then one more set at the first hold, and grow
    again. Week 1 gives the ~60 s a side that ACSM names as the aim per stretch."""
    d = ex.dosing
    holds = [min(d.hold_s.max, d.hold_s.min + HOLD_STEP_S * i) for i in range(3)]  # type: ignore[union-attr]
    return [Rung(ex, sets, None, h) for sets in (d.sets.min, _plus_one(d.sets)) for h in holds]


def _strength_rungs(ex: Exercise) -> list[Rung]:
    d = ex.dosing
    r, h = d.reps, d.hold_s
    s0, s1 = d.sets.min, _plus_one(d.sets)
    plan = [
        (s0, r.min, h.min if h else None),
        (s0, _mid(r), h.min if h else None),
        (s0, r.max, _mid(h)),
        (s1, r.min, _mid(h)),
        (s1, _mid(r), h.max if h else None),
        (s1, r.max, h.max if h else None),
    ]
    return [Rung(ex, s, reps, hold) for s, reps, hold in plan]  # type: ignore[union-attr]


def base_rungs(ex: Exercise) -> list[Rung]:
    return _strength_rungs(ex) if ex.kind == "strength" else _stretch_rungs(ex)


def describe(prev: Rung | None, cur: Rung) -> str:
    """Plain words for what changed from last week to this week."""
    if prev is None:
        return f"Week 1 starts at the easy end: {dose_words(cur)}."
    if cur.exercise.id != prev.exercise.id:
        return (
            f"You move on to {cur.exercise.name.lower()}, a harder version, "
            f"at its easy end: {dose_words(cur)}."
        )
    if cur.ankle_weights and not prev.ankle_weights:
        return f"Add light ankle weights now, the lightest you have: {dose_words(cur)}."
    changes = []
    if cur.sets > prev.sets:
        changes.append("one more set")
    if cur.reps and prev.reps and cur.reps > prev.reps:
        changes.append(f"{cur.reps} reps")
    elif cur.reps and prev.reps and cur.reps < prev.reps:
        changes.append(f"reps drop back to {cur.reps} while you add a set")
    if cur.hold_s and prev.hold_s and cur.hold_s != prev.hold_s:
        if cur.reps is not None:
            changes.append(f"a {cur.hold_s} s pause at the top")
        elif cur.hold_s > prev.hold_s:
            changes.append(f"holds of {cur.hold_s} s")
        else:
            changes.append(f"holds go back to {cur.hold_s} s while you add a set")
    if not changes:
        return f"Same as last week: {dose_words(cur)}."
    return "A small step up: " + ", ".join(changes) + "."


def dose_words(r: Rung) -> str:
    side = " on each side" if r.exercise.dosing.sides == "each" else ""
    sets = f"{r.sets} set" + ("s" if r.sets != 1 else "")
    if r.reps is not None:
        pause = f" with a {r.hold_s} s pause at the top" if r.hold_s else ""
        return f"{sets} of {r.reps} reps{side}{pause}"
    return f"{sets} of {r.hold_s} s{side}"


def ladder(
    ex: Exercise, *, hold_stretch: bool, variant: Exercise | None, ankle_weights: bool
) -> list[Rung]:
    """The rungs one exercise may climb, in order, for this person.

    `hold_stretch` keeps stretch dosing at week 1 (pregnancy, very bendy joints, soon after
    birth); `variant` is a harder exercise that is safe for the person; `ankle_weights` says
    the person has them and the exercise can use them.
    """
    rungs = base_rungs(ex)
    if hold_stretch and ex.kind != "strength":
        return rungs[:1]
    if hold_stretch:
        return rungs
    if variant is not None:
        return rungs[:4] + base_rungs(variant)[:2]
    if ankle_weights and ex.kind == "strength":
        w1 = Rung(ex, rungs[3].sets, ex.dosing.reps.min, rungs[3].hold_s, True)  # type: ignore[union-attr]
        w2 = Rung(ex, rungs[3].sets, _mid(ex.dosing.reps), rungs[4].hold_s, True)
        return [*rungs[:4], w1, w2]
    return rungs
