"""The landmark frame the coach reads: one person's 33 BlazePose points at one moment.

Everything after the pose model works on these frames, so the rules can be tested on
frames made from the figure model (`synthetic.py`) without any video or model.

Image points are MediaPipe's image landmarks: `x` and `y` normalised to the image, 0 to 1
from the left edge and from the top edge, `z` a depth on about the scale of `x`, and
`visibility` from 0 to 1. Because `x` and `y` are fractions of different lengths, a frame
also carries `aspect` (image width / height) so that angles come out in true proportions.
World points, when the model gives them, are metres from the middle of the hips with
MediaPipe's axes: x to the right of the image, y down, z away from the camera.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Landmark = tuple[float, float, float, float]  # x, y, z, visibility
WorldPoint = tuple[float, float, float]  # metres

# BlazePose order (MediaPipe Pose and the tfjs models use the same 33 points).
NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
INDEX: Mapping[str, int] = {name: i for i, name in enumerate(NAMES)}
COUNT = len(NAMES)

# The body parts the coach names, and the landmark of each on the left and the right.
# `toe` is BlazePose's foot index (the tip of the foot).
PARTS: Mapping[str, tuple[int, int]] = {
    "ear": (INDEX["left_ear"], INDEX["right_ear"]),
    "shoulder": (INDEX["left_shoulder"], INDEX["right_shoulder"]),
    "elbow": (INDEX["left_elbow"], INDEX["right_elbow"]),
    "wrist": (INDEX["left_wrist"], INDEX["right_wrist"]),
    "hip": (INDEX["left_hip"], INDEX["right_hip"]),
    "knee": (INDEX["left_knee"], INDEX["right_knee"]),
    "ankle": (INDEX["left_ankle"], INDEX["right_ankle"]),
    "heel": (INDEX["left_heel"], INDEX["right_heel"]),
    "toe": (INDEX["left_foot_index"], INDEX["right_foot_index"]),
}
NOSE = INDEX["nose"]


def part_index(part: str, side: str) -> int:
    """The landmark of `part` ("knee") on `side` ("left" or "right")."""
    left, right = PARTS[part]
    return left if side == "left" else right


@dataclass(frozen=True, slots=True)
class Frame:
    """One moment: `t` in seconds from the start, `points` (33 landmarks, or None when no
    person was found), optional `world` points in metres, and the image's `aspect`."""

    t: float
    points: tuple[Landmark, ...] | None = None
    world: tuple[WorldPoint, ...] | None = None
    aspect: float = 1.0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Frame:
        """A frame from plain JSON (`{"t", "points": [[x, y, z, v] x 33] | null,
        "world": [[x, y, z] x 33] | null, "aspect"}`), as the browser sends it.

        Raises ValueError naming the field and what is allowed.
        """
        if not isinstance(data, Mapping):
            raise ValueError("frame: must be an object with t, points, world and aspect")
        unknown = sorted(set(data) - {"t", "points", "world", "aspect"})
        if unknown:
            raise ValueError(
                f"frame: unknown field(s) {unknown}; allowed: t, points, world, aspect"
            )
        t = _number(data.get("t"), "t")
        aspect = _number(data.get("aspect", 1.0), "aspect")
        if not 0.1 <= aspect <= 10:
            raise ValueError(f"aspect: {aspect} is outside 0.1..10 (image width / height)")
        points = _rows(data.get("points"), "points", 4)
        world = _rows(data.get("world"), "world", 3)
        if points is not None:
            for i, p in enumerate(points):
                if not 0 <= p[3] <= 1:
                    raise ValueError(f"points[{i}]: visibility {p[3]} is outside 0..1")
        return cls(t, points, world, aspect)  # type: ignore[arg-type]


_PLAIN = frozenset((int, float))  # not bool, whose type is its own


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{field}: must be a finite number, not {value!r}")
    return float(value)


def _rows(value: Any, field: str, width: int) -> tuple[tuple[float, ...], ...] | None:
    if value is None:
        return None
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != COUNT:
        raise ValueError(f"{field}: must be a list of {COUNT} landmarks or null")
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, Sequence) or isinstance(row, str) or len(row) != width:
            raise ValueError(f"{field}[{i}]: must be a list of {width} numbers")
        # The browser sends about 2,000 numbers a batch: plain numbers whose sum is finite
        # are all finite, and are taken at once; anything else is checked one by one, so
        # the message names what is wrong.
        if _PLAIN.issuperset(map(type, row)) and math.isfinite(sum(row)):
            rows.append(tuple(map(float, row)))
        else:
            rows.append(tuple(_number(v, f"{field}[{i}]") for v in row))
    return tuple(rows)
