"""Which way the camera sees the person: from the side, from the front, or unsure.

Side-on, the two shoulders and the two hips fall nearly on top of each other; from the
front they are about as wide apart as the torso is long (the figure's shoulders are 0.21
of height apart and its trunk 0.29 long, hips 0.11). So the widths of the shoulders and
the hips, against the torso's length, tell the view: under 0.18 is side-on, over 0.40 is
from the front. Someone turned half-way (about 45 degrees) sits near 0.39, and between
the two the view stays what it was until the widths clearly cross into the other band
(0.26 to leave side-on, 0.32 to leave the front), so a sway does not flip it.
"""

from __future__ import annotations

import math

from psoas.core.coach.landmarks import PARTS, Frame
from psoas.core.coach.metrics import VISIBLE

SIDE_BELOW, SIDE_LEAVE = 0.18, 0.26
FRONT_ABOVE, FRONT_LEAVE = 0.40, 0.32

_SH = PARTS["shoulder"]
_HIP = PARTS["hip"]


def width_ratio(frame: Frame) -> float | None:
    """(shoulder width + hip width) / (2 x torso length), or None if the camera sees no
    shoulder or no hip. Side-on the far shoulder and hip are often marked hidden; the
    model's guess of them still lies near the near ones, which is all this needs."""
    p, a = frame.points, frame.aspect
    if p is None or all(p[i][3] < VISIBLE for i in _SH) or all(p[i][3] < VISIBLE for i in _HIP):
        return None
    (l_s, r_s), (l_h, r_h) = (p[_SH[0]], p[_SH[1]]), (p[_HIP[0]], p[_HIP[1]])
    shoulders = math.hypot((l_s[0] - r_s[0]) * a, l_s[1] - r_s[1])
    hips = math.hypot((l_h[0] - r_h[0]) * a, l_h[1] - r_h[1])
    torso = math.hypot(
        (l_s[0] + r_s[0] - l_h[0] - r_h[0]) * a / 2, (l_s[1] + r_s[1] - l_h[1] - r_h[1]) / 2
    )
    return (shoulders + hips) / (2 * torso) if torso > 1e-6 else math.inf


class ViewCheck:
    def __init__(self) -> None:
        self.view = "unknown"

    def update(self, frame: Frame) -> str:
        ratio = width_ratio(frame)
        if ratio is None:
            return self.view
        if self.view == "side":
            if ratio > SIDE_LEAVE:
                self.view = "front" if ratio > FRONT_ABOVE else "unknown"
        elif self.view == "front":
            if ratio < FRONT_LEAVE:
                self.view = "side" if ratio < SIDE_BELOW else "unknown"
        elif ratio < SIDE_BELOW:
            self.view = "side"
        elif ratio > FRONT_ABOVE:
            self.view = "front"
        return self.view
