"""What a person did, set by set and side by side: the record the store keeps.

Each record puts the plan beside what was done, so a set cut short by a skip, a stop
for pain or a quit still says how far it got, and autoregulation can read the pain score.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    STOPPED_FOR_PAIN = "stopped_for_pain"
    QUIT = "quit"


@dataclass(frozen=True)
class SetResult:
    """One set on one side.

    A reps set fills the reps pair and a hold set the hold pair; the other pair is None.
    The short pause inside each rep paces the rep, so it is not something to reach.
    `pain` is the score given when the person stopped for pain, on every set it cut off.
    """

    set_number: int
    side: str  # left | right | both | none
    planned_reps: int | None
    reps_done: int | None
    planned_hold_s: float | None
    hold_s_reached: float | None
    status: Status
    pain: int | None = None


@dataclass(frozen=True)
class ExerciseResult:
    """Every set of one exercise, ready to save the moment the exercise ends."""

    exercise_id: str
    index: int  # position in the session, from 0
    sets: tuple[SetResult, ...]

    @property
    def status(self) -> Status:
        """Done only if every set was; otherwise how the first unfinished set ended."""
        return next((s.status for s in self.sets if s.status is not Status.DONE), Status.DONE)

    @property
    def pain(self) -> int | None:
        return next((s.pain for s in self.sets if s.pain is not None), None)
