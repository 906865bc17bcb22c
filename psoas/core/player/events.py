"""What the player reports as time passes or the person acts: small immutable records.

`at` is the clock time the event belongs to by the schedule, not the time the player
noticed it, so events found late after a stall still carry their true times. `kind` is a
stable name for logs and the non-interactive mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from psoas.core.player.results import ExerciseResult, Status
from psoas.core.player.state import State
from psoas.core.player.timeline import Step


@dataclass(frozen=True)
class StepStarted:
    kind: ClassVar[str] = "step_started"
    index: int  # position in the session's list of steps
    step: Step
    at: float


@dataclass(frozen=True)
class StepFinished:
    kind: ClassVar[str] = "step_finished"
    index: int
    step: Step
    status: Status
    at: float


@dataclass(frozen=True)
class RepCompleted:
    kind: ClassVar[str] = "rep"
    index: int
    step: Step
    number: int  # 1 .. step.reps
    at: float


@dataclass(frozen=True)
class ExerciseFinished:
    """Carries the exercise's result so the shell can save it before anything else runs."""

    kind: ClassVar[str] = "exercise_finished"
    result: ExerciseResult
    at: float


@dataclass(frozen=True)
class SessionFinished:
    kind: ClassVar[str] = "session_finished"
    state: State  # done | stopped_for_pain | quit
    at: float


@dataclass(frozen=True)
class WentAway:
    """The player did not run from `at` to `back`, longer than its away limit: the session
    paused at `at`, the last time it ran, and nothing in the gap counts as done."""

    kind: ClassVar[str] = "away"
    at: float
    back: float


Event = StepStarted | StepFinished | RepCompleted | ExerciseFinished | SessionFinished | WentAway
