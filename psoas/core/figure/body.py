"""Body proportions and the bases a figure rests on.

Lengths are fractions of standing height, rounded from the Drillis and Contini segment
table that Winter reprints (Biomechanics and Motor Control of Human Movement, fig. 4.1),
so a figure drawn from them reads as an adult and the camera coach can later compare
them with measured landmarks. Widths are how thick each part is drawn; the same numbers
decide where a part touches the floor, so what you see resting is what the model rests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from psoas.core.content.models import Joint

TRUNK = 0.29  # hip joint centre to shoulder joint centre
NECK = 0.05  # base of the neck to the bottom of the head
HEAD_R = 0.058
UPPER_ARM = 0.186
FOREARM = 0.15  # elbow to the middle of the hand
THIGH = 0.245
SHANK = 0.245
FOOT = 0.11  # ankle to the tips of the toes
HIP_HALF_WIDTH = 0.055
SHOULDER_HALF_WIDTH = 0.105

TORSO_WIDTH = 0.1
NECK_WIDTH = 0.045
LEG_WIDTH = 0.055
ARM_WIDTH = 0.042

# Hip joint heights for the two bases that sit on furniture. On the seat, a plumb shin
# just puts the foot on the floor; the table is a treatment table, about 70 cm tall.
SEAT_PELVIS = SHANK + LEG_WIDTH / 2
TABLE_PELVIS = 0.4 + TORSO_WIDTH / 2

JOINTS = get_args(Joint)  # every joint a pose may name, from the content model

# A view is drawn on two axes of the base frame (forward, up, left). `overhead` means the
# drawn plane lies flat on the floor, so the camera looks down and the floor is a mat.
Axis = tuple[float, float, float]
FORWARD: Axis = (1.0, 0.0, 0.0)
UP: Axis = (0.0, 1.0, 0.0)
LEFT: Axis = (0.0, 0.0, 1.0)
RIGHT: Axis = (0.0, 0.0, -1.0)


@dataclass(frozen=True)
class View:
    x: Axis
    y: Axis
    overhead: bool = False

    @property
    def toward(self) -> Axis:
        """The axis pointing at the camera (y cross x), to draw near parts over far ones."""
        (ax, ay, az), (bx, by, bz) = self.y, self.x
        return (ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx)


UPRIGHT_VIEWS = {"side": View(FORWARD, UP), "front": View(LEFT, UP)}
LYING_VIEWS = {"side": View(FORWARD, UP), "front": View(FORWARD, LEFT, overhead=True)}
SIDE_LYING_VIEWS = {
    "side": View(FORWARD, UP, overhead=True),
    "front": View((-1.0, 0.0, 0.0), RIGHT),  # facing the chest: head on the right
}


@dataclass(frozen=True)
class Base:
    """How a base puts the body in the world.

    `pitch` tips the whole body forward (+) or back (-) before the trunk angle applies, so
    the content's trunk angle stays relative to the base: lying flat is trunk 0.
    `chest_lift` raises the chest above the line of the pelvis (the hands-and-knees back).
    `support` says what carries the pelvis: the floor under the lowest point, a chair seat
    or a table top. `anchor` names the point that stays put across a movement.
    """

    pitch: float
    defaults: dict[str, float]
    support: Literal["floor", "seat", "table"]
    anchor: Literal["stance_ankle", "knees", "kneeling_knee", "neck", "pelvis"]
    views: dict[str, View]
    chest_lift: float = 0.0


def _all_fours_lift() -> float:
    """Straight arms are longer than thighs, so on hands and knees the chest rises above
    the hips; the content's "flat back" (trunk 90) means this posture. The angle puts
    both the hands and the knees on the floor with the thighs plumb."""
    a, b = TRUNK, UPPER_ARM + FOREARM
    c = THIGH + LEG_WIDTH / 2 - ARM_WIDTH / 2
    return math.degrees(math.atan2(b, a) + math.asin(-c / math.hypot(a, b)))


_KNEELING = {"knee_left": 90, "knee_right": 90, "ankle_left": 90, "ankle_right": 90}

BASES: dict[str, Base] = {
    "standing": Base(0, {}, "floor", "stance_ankle", UPRIGHT_VIEWS),
    "kneeling": Base(0, _KNEELING, "floor", "knees", UPRIGHT_VIEWS),
    "half_kneeling": Base(
        0,
        {"hip_left": 90, "knee_left": 90, "knee_right": 90, "ankle_right": 90},
        "floor",
        "kneeling_knee",
        UPRIGHT_VIEWS,
    ),
    "seated": Base(
        0,
        {"hip_left": 90, "hip_right": 90, "knee_left": 90, "knee_right": 90},
        "seat",
        "pelvis",
        UPRIGHT_VIEWS,
    ),
    "hands_knees": Base(
        0,
        {"trunk": 90, "hip_left": 90, "hip_right": 90, "shoulder_left": 90, "shoulder_right": 90}
        | _KNEELING,
        "floor",
        "knees",
        UPRIGHT_VIEWS,
        chest_lift=_all_fours_lift(),
    ),
    "lying_back": Base(-90, {}, "floor", "neck", LYING_VIEWS),
    "lying_front": Base(90, {"ankle_left": 90, "ankle_right": 90}, "floor", "pelvis", LYING_VIEWS),
    "lying_side": Base(-90, {}, "floor", "pelvis", SIDE_LYING_VIEWS),
    "table_edge": Base(-90, {}, "table", "pelvis", LYING_VIEWS),
}


def resolve(base: str, joints: Mapping[str, float]) -> dict[str, float]:
    """Every joint angle for a pose: the given ones, else the base's neutral value.

    Half-kneeling has a front leg and a kneeling leg; whichever leg the content flexes
    more at the hip is the front one, and gets the front leg's defaults (foot flat).
    """
    defaults = dict(BASES[base].defaults)
    if base == "half_kneeling" and joints.get("hip_right", 0) > joints.get("hip_left", 90):
        swap = {"left": "right", "right": "left"}
        defaults = {
            f"{k.rsplit('_', 1)[0]}_{swap[k.rsplit('_', 1)[1]]}": v for k, v in defaults.items()
        }
    return {name: 0.0 for name in JOINTS} | defaults | dict(joints)
