"""Put a projected figure on its support, and the public pose functions.

Coordinates are in body heights (a standing adult is about 1.0 tall), x to the right and
y up. In a view with a floor, the floor is y = 0 and the lowest point of the figure, by
the thickness it is drawn with, touches it (or the pelvis sits on the chair seat or the
table top). In a view from above there is no floor line; the pelvis is at y = 0. Along x,
one point per base stays at 0 (the standing foot, the knee on the floor, the shoulders on
the floor...) so that a movement looks anchored where the body really bears weight.
"""

from __future__ import annotations

import math

from psoas.core.content.models import Pose
from psoas.core.figure import body
from psoas.core.figure.kinematics import project, skeleton, toward

Point = tuple[float, float]

# Nearer than this to the floor, a foot bears weight and rests on it.
_PLANTED = 0.035


def radius(name: str) -> float:
    """Half the drawn thickness at a point: how far the body reaches past it."""
    part = name.split("_")[0]
    if part == "head":
        return body.HEAD_R
    if part in ("knee", "ankle", "toe"):
        return body.LEG_WIDTH / 2
    if part in ("elbow", "wrist"):
        return body.ARM_WIDTH / 2
    return body.TORSO_WIDTH / 2


def _anchor_x(points: dict[str, Point], angles: dict[str, float], anchor: str) -> float:
    if anchor == "stance_ankle":
        side = min(
            ("left", "right"),
            key=lambda s: abs(angles[f"hip_{s}"]) + abs(angles[f"hip_abduction_{s}"]),
        )
        return points[f"ankle_{side}"][0]
    if anchor == "kneeling_knee":
        side = min(("left", "right"), key=lambda s: angles[f"hip_{s}"])
        return points[f"knee_{side}"][0]
    if anchor == "knees":
        return (points["knee_left"][0] + points["knee_right"][0]) / 2
    return points[anchor][0]


def _lift(points: dict[str, Point], support: str) -> float:
    """How far up to move the figure so that it rests on its support."""
    if support == "seat":
        return body.SEAT_PELVIS - points["pelvis"][1]
    if support == "table":
        return body.TABLE_PELVIS - points["pelvis"][1]
    lowest = min(y - radius(n) for n, (_, y) in points.items() if not n.startswith("toe"))
    return -lowest


def _rest_foot(ankle: Point, toe: Point) -> Point:
    """Where the toes go once the foot meets the floor.

    A foot never goes through the floor: it pivots at the ankle until its toes touch. A
    foot that bears weight with its toes up lies flat, as a relaxed foot does; that eases
    off as the ankle rises, and for a foot pointing up (lying on the back with the legs
    long), so the foot turns smoothly as a movement goes on.
    """
    floor = radius("toe")
    dx, dy = toe[0] - ankle[0], toe[1] - ankle[1]
    length = math.hypot(dx, dy)
    if length < 1e-9:  # a foot pointing at the camera
        return toe
    tilt = math.degrees(math.atan2(dy, abs(dx)))  # toes up +, down -
    flat = -math.degrees(math.asin(min(max(ankle[1] - floor, 0.0), length) / length))
    height = ankle[1] - radius("ankle")
    bearing = _clamp(2 - height / _PLANTED) * _clamp((70 - tilt) / 20)
    tilt = max(tilt + (flat - tilt) * bearing, flat)
    side = math.copysign(1.0, dx) if dx else 1.0
    a = math.radians(tilt)
    return (ankle[0] + side * length * math.cos(a), ankle[1] + length * math.sin(a))


def _clamp(v: float) -> float:
    return min(max(v, 0.0), 1.0)


def place(pose: Pose, view: str) -> dict[str, Point]:
    """Joint positions of `pose` in `view`, resting on the base's support."""
    base = body.BASES[pose.base]
    angles = body.resolve(pose.base, pose.joints)
    camera = base.views.get(view, base.views["side"])
    points = project(skeleton(angles, base), camera)
    dx = -_anchor_x(points, angles, base.anchor)
    dy = -points["pelvis"][1] if camera.overhead else _lift(points, base.support)
    points = {n: (x + dx, y + dy) for n, (x, y) in points.items()}
    if not camera.overhead:
        for side in ("left", "right"):
            points[f"toe_{side}"] = _rest_foot(points[f"ankle_{side}"], points[f"toe_{side}"])
    return points


def depths(pose: Pose, view: str) -> dict[str, float]:
    """How near each joint of `pose` is to the camera in `view` (larger is nearer)."""
    base = body.BASES[pose.base]
    camera = base.views.get(view, base.views["side"])
    return toward(skeleton(body.resolve(pose.base, pose.joints), base), camera)


def joint_positions(pose: Pose, view: str = "side") -> dict[str, Point]:
    """Where each joint of `pose` is in `view` ("side", "front"; "top" draws as "side").

    Keys: head (centre), neck (base of the neck), pelvis (between the hips), and
    shoulder, elbow, wrist, hip, knee, ankle and toe, each with _left and _right. In the
    side view the camera is on the figure's right, which faces right; in the front view
    the figure faces the camera, so its left is on the right of the picture.
    """
    return place(pose, view)


def interpolate(start: Pose, end: Pose, t: float) -> Pose:
    """The pose a fraction `t` (0 to 1) of the way from `start` to `end`.

    Each angle moves evenly, so joints travel along arcs. Angles a pose leaves out take
    its base's neutral value first. When the bases differ the nearer one is kept; the
    renderer blends the two placements instead, so the figure does not jump.
    """
    a, b = body.resolve(start.base, start.joints), body.resolve(end.base, end.joints)
    joints = {name: a[name] + (b[name] - a[name]) * t for name in body.JOINTS}
    return Pose(base=start.base if t < 0.5 else end.base, joints=joints)
