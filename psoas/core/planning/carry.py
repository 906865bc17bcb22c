"""What a new block of the program carries over from the block before: the input that
`build_plan` takes for a second, third, ... block (issue 16 item 1).

A block is six weeks of a plan. At its end the person re-tests and picks the next block:
progress (climb on from the doses and harder versions reached), or maintain (fewer days,
the exercises that helped, at the doses reached). This module holds only the data; the
rules that fill it and pick between the choices are in `planning/blocks.py`, and the
planner (`planning/planner.py`) reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["progress", "maintain"]
MAINTAIN_DAYS = 2  # ACSM: flexibility and strength work 2-3 days a week (clinical.md 4.1)
MAINTAIN_DAYS_SITTING = 3  # the top of that range for people who sit most of the day


@dataclass(frozen=True)
class Reached:
    """Where one slot of the program got to in a block: the exercise done last (maybe a
    harder version than the slot's first) and its dose, whether an ankle weight was added
    by the exercise's own gate, and whether it helped (done often, without pain)."""

    exercise_id: str
    sets: int
    reps: int | None
    hold_s: int | None
    weighted: bool = False
    helped: bool = True


@dataclass(frozen=True)
class Carry:
    """A later block: its kind, its number (2 for the second block), the classification
    of the block before, the doses reached per slot, and for maintain the slots to keep."""

    kind: BlockKind
    number: int
    classification: str
    reached: Mapping[str, Reached] = field(default_factory=dict)
    keep: frozenset[str] = frozenset()
