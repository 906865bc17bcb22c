"""A session as a timeline of steps, and its length.

The planner's `estimated_minutes` is the length of this timeline, so the figure a person
sees is what the player will actually time: get ready, every hold or rep at its tempo,
each side, the switch between sides, and the rest between sets. Getting down to the floor
(or a bed or table) and up again takes time too, more than reading a name: the get-ready
step of an exercise is longer when it starts at another level than the one before.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GET_READY_S = 10.0  # read the name, get into position
SWITCH_SIDE_S = 5.0  # change sides within a set
LEVEL_CHANGE_S = 20.0  # get down to the floor or lie down, or get up again
LOW_POSITIONS = frozenset({"supine", "prone", "side_lying", "kneeling", "quadruped", "plank"})


@dataclass(frozen=True)
class Step:
    kind: str  # get_ready | hold | reps | switch_side | rest
    seconds: float
    exercise_id: str
    set_number: int = 0
    side: str = "none"  # left | right | both | none
    reps: int | None = None
    rep_seconds: float | None = None  # one rep including the pause at the top


@dataclass(frozen=True)
class Dose:
    """What the player needs to time one exercise."""

    exercise_id: str
    sides: str  # each | both | none
    sets: int
    reps: int | None
    hold_s: int | None
    tempo_s: float | None
    rest_s: int
    low: bool = False  # done lying, kneeling or on all fours, not standing or sitting
    focus_side: str | None = None  # left | right: one more set on the side that tested worse

    @classmethod
    def from_plan(cls, ex: Mapping[str, Any]) -> Dose:
        """The dose of one exercise entry of a `psoas.plan/1` session."""
        return cls(
            ex["id"],
            ex["side"],
            ex["sets"],
            ex["reps"],
            ex["hold_s"],
            ex["tempo_s"],
            ex["rest_s"],
            ex.get("position") in LOW_POSITIONS,
            ex.get("focus_side"),
        )

    @property
    def total_sets(self) -> int:
        """Sets on the busiest side: one more on the focus side."""
        return self.sets + (self.focus_side is not None)

    @property
    def work_seconds(self) -> float:
        """One set on one side: a hold, or the reps at their tempo with their pause."""
        if self.reps is not None:
            return self.reps * self.rep_seconds
        return float(self.hold_s or 0)

    @property
    def rep_seconds(self) -> float:
        return (self.tempo_s or 0.0) + (self.hold_s or 0)


def exercise_steps(dose: Dose, after_low: bool = False) -> list[Step]:
    """One exercise's steps; `after_low` says the exercise before it was done low down."""
    ready = GET_READY_S + (LEVEL_CHANGE_S if dose.low != after_low else 0.0)
    steps = [Step("get_ready", ready, dose.exercise_id)]
    sides = ("left", "right") if dose.sides == "each" else (dose.sides,)
    kind = "reps" if dose.reps is not None else "hold"
    rep_s = dose.rep_seconds if dose.reps is not None else None
    for n in range(1, dose.sets + 1):
        if n > 1:
            steps.append(Step("rest", float(dose.rest_s), dose.exercise_id, n))
        for i, side in enumerate(sides):
            if i:
                steps.append(Step("switch_side", SWITCH_SIDE_S, dose.exercise_id, n, side))
            steps.append(Step(kind, dose.work_seconds, dose.exercise_id, n, side, dose.reps, rep_s))
    if dose.focus_side is not None:  # one more set on the side that tested worse
        n = dose.sets + 1
        steps.append(Step("rest", float(dose.rest_s), dose.exercise_id, n))
        steps.append(
            Step(kind, dose.work_seconds, dose.exercise_id, n, dose.focus_side, dose.reps, rep_s)
        )
    return steps


@functools.lru_cache(maxsize=4096)
def exercise_seconds(dose: Dose) -> float:
    """One exercise's length, starting from where it is done (no change of level)."""
    return sum(s.seconds for s in exercise_steps(dose, after_low=dose.low))


def level_changes(lows: list[bool]) -> int:
    """How often a session gets down or up between exercises, starting up."""
    before, n = False, 0
    for low in lows:
        n += low != before
        before = low
    return n


def session_steps(doses: list[Dose]) -> list[Step]:
    steps: list[Step] = []
    before = False
    for d in doses:
        steps += exercise_steps(d, before)
        before = d.low
    return steps


def session_seconds(doses: list[Dose]) -> float:
    changes = level_changes([d.low for d in doses])
    return sum(exercise_seconds(d) for d in doses) + changes * LEVEL_CHANGE_S
