"""The visibility gate: judge only what the camera can see.

A pose model still puts a point where it cannot see a joint, and that guess can be far
off: on the fixtures' yoga clip a knee hidden behind the arms (visibility 0.26-0.41) was
placed near the hands and read 130-155 degrees although it was bent past 90. So each
exercise lists the parts it must see, and a frame where one of them is under 0.5 (the
pose model's own default confidence) is "cannot see your knee", never a fault.
"""

from __future__ import annotations

from psoas.core.coach.landmarks import PARTS, Landmark
from psoas.core.coach.metrics import VISIBLE, other

_PLURAL = {
    "knee": "knees",
    "hip": "hips",
    "ankle": "ankles",
    "heel": "heels",
    "toe": "toes",
    "shoulder": "shoulders",
    "elbow": "elbows",
    "wrist": "wrists",
    "ear": "ears",
}
_WORD = {"toe": "foot", "ear": "head"}


class Gate:
    """Parts as content names them: `knee` (either knee will do), `knee_side` (the working
    side's), `knee_other`, `knee_both`."""

    def __init__(self, see: list[str], side: str) -> None:
        self.checks: list[tuple[str, tuple[int, ...], bool]] = []  # (part, landmarks, all)
        for part in see:
            joint, _, which = part.partition("_")
            left, right = PARTS[joint]
            if which == "side":
                self.checks.append((part, (left if side == "left" else right,), True))
            elif which == "other":
                self.checks.append((part, (left if side == "right" else right,), True))
            else:
                self.checks.append((part, (left, right), which == "both"))
        self.side = side

    def hidden(self, points: tuple[Landmark, ...]) -> str | None:
        """The first part the camera cannot see in this frame, or None."""
        for part, idx, every in self.checks:
            seen = [points[i][3] >= VISIBLE for i in idx]
            if not (all(seen) if every else any(seen)):
                return part
        return None

    def words(self, part: str) -> str:
        """The part in plain words: "your right knee", "your knees"."""
        joint, _, which = part.partition("_")
        if which in ("side", "other"):
            side = self.side if which == "side" else other(self.side)
            return f"your {side} {_WORD.get(joint, joint)}"
        return f"your {_PLURAL[joint] if joint not in _WORD else _WORD[joint]}"
