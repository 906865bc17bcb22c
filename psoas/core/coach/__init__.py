"""The camera coach's rules, on landmark frames (no video, no pose model, no I/O).

    from psoas.core.coach import Coach, Frame, analyze
    analyze(frames, exercise, "right")      # the psoas.analysis/1 dict of a whole clip
    coach = Coach(exercise, "right")        # live: feed batches, read counts and one cue
    coach.feed(batch)                       # -> Status(reps, holding, hold_s, cue, ...)

See docs/coach.md for how it counts and judges, and each exercise's `coach` block in
psoas/core/content/data/exercises/ for its angle, thresholds and faults.
"""

from psoas.core.coach.analysis import analyze, result
from psoas.core.coach.coach import Coach, Cue, NotCoachable, Status
from psoas.core.coach.landmarks import Frame

__all__ = ["Coach", "Cue", "Frame", "NotCoachable", "Status", "analyze", "result"]
