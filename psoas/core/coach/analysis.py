"""A whole clip's analysis, `psoas.analysis/1`, from the same `Coach` the browser uses.

`analyze(frames, exercise, side)` feeds every frame to a `Coach` and reads the result:
the reps with their range and tempo, the holds with their seconds, the faults with the
rep (or hold) they came in, and warnings about what the camera could not see. The JSON's
contract is the model in psoas/core/analysis.py.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

from psoas.core.coach.coach import PLACE_CAMERA, Coach
from psoas.core.coach.landmarks import Frame
from psoas.core.content.models import Exercise

SCHEMA = "psoas.analysis/1"
MIN_VIEW_SHARE = 0.5  # the clip's view is the one most frames had, if at least half did
VIEW_WORDS = {"side": "side-on", "front": "from the front"}


def analyze(frames: Iterable[Frame], exercise: Exercise, side: str = "right") -> dict[str, Any]:
    """The analysis of a clip's frames (in time order) for `exercise` done on `side`.

    Raises NotCoachable (a ValueError) for an exercise the camera cannot coach, and
    ValueError for a side other than left or right.
    """
    coach = Coach(exercise, side)
    coach.feed(frames)
    coach.finish()
    return result(coach)


def _fps(coach: Coach) -> float:
    gaps = [g for g in coach.gaps if g > 0]
    return round(1.0 / statistics.median(gaps), 2) if gaps else 0.0


def clip_view(coach: Coach) -> str:
    counted = {v: n for v, n in coach.views.items() if v != "unknown"}
    if not counted or not coach.person_frames:
        return "unknown"
    view, n = max(counted.items(), key=lambda kv: kv[1])
    return view if n >= MIN_VIEW_SHARE * coach.person_frames else "unknown"


def warnings(coach: Coach, view: str, fps: float) -> list[str]:
    """What the camera could not see, in plain words, most important first."""
    out = []
    need = coach.rules.view
    missing = coach.frames - coach.person_frames
    if coach.frames and not coach.person_frames:
        out.append("No one was in the picture.")
    elif missing:
        out.append(f"No one was in the picture in {missing} of {coach.frames} frames.")
    if view not in ("unknown", need):
        out.append(
            f"The camera saw you {VIEW_WORDS[view]}, but this exercise needs it"
            f" {VIEW_WORDS[need]}. {PLACE_CAMERA[need]}"
        )
    elif view == "unknown" and coach.person_frames:
        out.append(f"I could not tell from which side the camera saw you. {PLACE_CAMERA[need]}")
    for part, n in coach.hidden.most_common():
        seconds = f" ({n / fps:.1f} s)" if fps else ""
        out.append(
            f"I could not see {coach.gate.words(part)} in {n} frames{seconds}, so I did"
            f" not judge your form then. {PLACE_CAMERA[need]}"
        )
    c = coach.counter
    if c.partial:
        out.append(f"{_moves(c.partial)} did not go far enough to count as a rep.")
    if c.too_fast:
        out.append(f"{_moves(c.too_fast)} went too fast to count as a rep.")
    return out


def _moves(n: int) -> str:
    return "1 move" if n == 1 else f"{n} moves"


def result(coach: Coach) -> dict[str, Any]:
    """The `psoas.analysis/1` dict of everything fed to `coach` so far."""
    fps = _fps(coach)
    view = clip_view(coach)
    names = {f.id: coach.exercise.common_faults[f.common_fault] for f in coach.rules.faults}
    faults = sorted(coach.fault_log.items(), key=lambda kv: kv[1])
    return {
        "schema": SCHEMA,
        "exercise": coach.exercise.id,
        "side": coach.side,
        "frames": coach.frames,
        "fps": fps,
        "person_frames": coach.person_frames,
        "view": view,
        "reps": len(coach.counter.reps),
        "rep_details": [
            {
                "start_s": round(r.start_s, 2),
                "end_s": round(r.end_s, 2),
                "rom_deg": round(r.rom_deg, 1),
                "tempo_s": round(r.tempo_s, 2),
            }
            for r in coach.counter.reps
        ],
        "holds": [
            {
                "start_s": round(h.start_s, 2),
                "end_s": round(h.end_s, 2),
                "seconds": round(h.seconds, 1),
            }
            for h in coach.hold_log
        ],
        "faults": [
            {"t_s": round(t, 2), "rep": number, "id": fid, "message": names[fid]}
            for (number, fid), t in faults
        ],
        "warnings": warnings(coach, view, fps),
    }
