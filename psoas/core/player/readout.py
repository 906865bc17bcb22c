"""What a display shows: one snapshot of the player, and the words it says during a step.

A snapshot rather than many getters, so every figure on screen comes from the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from psoas.core.player.state import PauseReason, State
from psoas.core.player.timeline import Step

BREATH_S = 4.0  # a slow breath in, then out: calm breathing helps a stretch let go


@dataclass(frozen=True)
class View:
    state: State
    step: Step | None  # None once the session is over
    seconds_left: float  # in the current step
    step_progress: float  # 0 to 1 through the current step
    rep: int | None  # in a reps step, the rep being done now, from 1
    side: str  # left | right | both | none
    set_number: int  # from 1; 0 once over
    sets: int
    exercise_number: int  # from 1; 0 once over
    exercises: int
    next_step: Step | None  # its exercise_id and kind say what comes next
    session_progress: float  # 0 to 1 over the whole session
    cue: str | None  # words to show: breathing during a hold, the switch between sides
    paused_for: PauseReason | None  # why it stands paused; None unless paused


def cue(step: Step, elapsed: float) -> str | None:
    if step.kind == "hold":
        return "Breathe in" if int(elapsed // BREATH_S) % 2 == 0 else "Breathe out"
    if step.kind == "switch_side":
        return f"Switch sides. {step.side.capitalize()} side next."
    return None
