"""Six weeks of dosing for one exercise: a ladder of steps from the low end of its range.

Each step changes one thing (research/clinical.md 4.2: reps, then sets, then hold time,
then a harder variant), and no step adds more than `WEEKLY_CAP` to the work of a set (its
seconds under load): the notes ask for 10-20% a week at most. A set added with fewer
reps or a shorter hold is one step, as in common practice. Ankle weights are never added
by the calendar: each exercise's own gate ("15 slow lifts with a 5 s hold feel easy")
decides, so the plan says when to add them instead. The planner climbs one rung a week
while the session still fits the person's time; a rung it cannot afford is held, and the
`why` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from psoas.core.content.models import Exercise, Range

WEEKS = 6
WEEKLY_CAP = 0.20  # at most 20% more work a week (clinical.md 4.2: 10-20%)
REP_STEP = 2  # reps grow two at a time (or to the top of the range)
HOLD_STEP_S = 5  # a stretch hold grows by 5 s at a time


@dataclass(frozen=True)
class Rung:
    exercise: Exercise
    sets: int
    reps: int | None
    hold_s: int | None
    note: str = ""


def _plus_one(r: Range) -> int:
    return min(r.min + 1, r.max)


def work(r: Rung) -> float:
    """Seconds under load in the rung's sets (one side): what the weekly cap bounds."""
    ex = r.exercise
    if r.reps is None:
        return r.sets * (r.hold_s or 0)
    return r.sets * r.reps * ((ex.dosing.tempo_s or 0) + (r.hold_s or 0))


def _stretch_rungs(ex: Exercise, start: Rung | None = None) -> list[Rung]:
    """Holds grow 5 s a week twice, then a set is added at a shorter hold, and the holds grow
    again; a step that would add more than the cap is passed over. Week 1 gives the ~60 s a
    side that ACSM names as the aim per stretch, or `start` (a dose reached before)."""
    d = ex.dosing
    hold_r = d.hold_s
    rungs = [start or Rung(ex, d.sets.min, None, hold_r.min)]  # type: ignore[union-attr]
    grown = 0  # hold steps since the last set was added
    while len(rungs) < WEEKS:
        cur = rungs[-1]
        cap = work(cur) * (1 + WEEKLY_CAP) + 1e-9
        longer = Rung(ex, cur.sets, None, min(cur.hold_s + HOLD_STEP_S, hold_r.max))  # type: ignore[operator, union-attr]
        more: Rung | None = None
        if cur.sets < d.sets.max:
            hold = int(cap // (cur.sets + 1))
            hold -= hold % HOLD_STEP_S
            if hold >= hold_r.min and (cur.sets + 1) * hold > work(cur):  # type: ignore[union-attr]
                more = Rung(ex, cur.sets + 1, None, min(hold, hold_r.max))  # type: ignore[union-attr]
        order = [longer, more] if grown < 2 else [more, longer]
        step = next((r for r in order if r is not None and work(cur) < work(r) <= cap), cur)
        grown = 0 if step.sets > cur.sets else grown + 1
        rungs.append(step)
    return rungs


def _next_strength(cur: Rung) -> Rung:
    """The one change that comes next: more reps, else one more set (reps back down so the
    work grows within the cap), else a longer pause at the top; else the same."""
    d = cur.exercise.dosing
    reps_r, hold_r = d.reps, d.hold_s
    cap = work(cur) * (1 + WEEKLY_CAP) + 1e-9
    options: list[Rung] = []
    if cur.reps < reps_r.max:  # type: ignore[operator, union-attr]
        options.append(
            Rung(cur.exercise, cur.sets, min(cur.reps + REP_STEP, reps_r.max), cur.hold_s)
        )  # type: ignore[operator, union-attr]
        options.append(Rung(cur.exercise, cur.sets, cur.reps + 1, cur.hold_s))  # type: ignore[operator]
    if cur.sets < d.sets.max:
        for reps in range(reps_r.min, reps_r.max + 1):  # type: ignore[union-attr]
            more = Rung(cur.exercise, cur.sets + 1, reps, cur.hold_s)
            if work(more) > work(cur):
                options.append(more)
                break
    if hold_r is not None and cur.hold_s is not None and cur.hold_s < hold_r.max:
        options.append(Rung(cur.exercise, cur.sets, cur.reps, cur.hold_s + 1))
    for step in options:
        if work(step) <= cap:
            return step
    return cur


def _strength_rungs(ex: Exercise, start: Rung | None = None) -> list[Rung]:
    d = ex.dosing
    first = Rung(ex, d.sets.min, d.reps.min, d.hold_s.min if d.hold_s else None)  # type: ignore[union-attr]
    rungs = [start or first]
    while len(rungs) < WEEKS:
        rungs.append(_next_strength(rungs[-1]))
    return rungs


def base_rungs(ex: Exercise, start: Rung | None = None) -> list[Rung]:
    """Six weeks of rungs from the easy end, or from `start` (a dose reached in a block
    before, within the exercise's ranges)."""
    return _strength_rungs(ex, start) if ex.kind == "strength" else _stretch_rungs(ex, start)


def start_rung(ex: Exercise, sets: int, reps: int | None, hold_s: int | None) -> Rung:
    """A rung for a dose reached before, kept inside the exercise's ranges: a dose from an
    older plan or another version of the content never starts above them."""
    d = ex.dosing
    sets = min(max(sets, d.sets.min), d.sets.max)
    if ex.kind == "strength":
        reps = min(max(reps or d.reps.min, d.reps.min), d.reps.max)  # type: ignore[union-attr]
        if d.hold_s is None:
            return Rung(ex, sets, reps, None)
        hold = min(max(hold_s or d.hold_s.min, d.hold_s.min), d.hold_s.max)
        return Rung(ex, sets, reps, hold)
    hold = min(max(hold_s or d.hold_s.min, d.hold_s.min), d.hold_s.max)  # type: ignore[union-attr]
    return Rung(ex, sets, None, hold)


def describe(prev: Rung | None, cur: Rung, carried: bool = False) -> str:
    """Plain words for what changed from last week to this week. `carried`: the exercise
    starts this block where the last block got to."""
    if prev is None and carried:
        return f"It starts where you got to last block: {dose_words(cur)}."
    if prev is None:
        return f"It starts at the easy end: {dose_words(cur)}."
    if cur.exercise.id != prev.exercise.id:
        return (
            f"You move on to {cur.exercise.name.lower()}, a harder version, "
            f"at its easy end: {dose_words(cur)}."
        )
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
    ex: Exercise,
    *,
    hold_stretch: bool,
    variant: Exercise | None,
    start: Rung | None = None,
    flat: bool = False,
) -> list[Rung]:
    """The rungs one exercise may climb, in order, for this person.

    `hold_stretch` keeps stretch dosing at week 1 (pregnancy, very bendy joints, soon after
    birth); `variant` is a harder exercise that is safe for the person, which takes over for
    the last two weeks at its own easy end. A later block passes `start`, the dose reached
    in the block before: the ladder climbs on from there, and the variant takes over as
    soon as the exercise is at the top of its ranges. `flat` keeps the first rung (a block
    that maintains what was gained).
    """
    rungs = base_rungs(ex, start)
    if flat or (hold_stretch and ex.kind != "strength"):
        return rungs[:1]
    if variant is None or hold_stretch:
        return rungs
    if start is None:
        return rungs[:4] + base_rungs(variant)[:2]
    climbing = [r for i, r in enumerate(rungs) if i == 0 or r != rungs[i - 1]]
    return [*climbing, *base_rungs(variant)][:WEEKS]
