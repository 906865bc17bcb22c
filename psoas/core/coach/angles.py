"""Joint angles from landmark points, in the figure model's own convention.

The exercise pictures are drawn from joint angles (docs/figure.md): 0 is standing straight,
hip flexion + swings the thigh forward, knee flexion + folds the heel toward the buttock,
trunk + leans forward from the base's neutral line. The coach measures the same angles, so
an exercise's thresholds read in the same numbers as its key poses, and the figure's poses
can check them (one source of truth for what the exercise looks like).

Image (2-D) points here are `(x, up)` in true proportions: x to the right of the image
times its aspect, and up = -y. A side view cannot tell from two points which way the
person faces, so the signed angles take `facing`: +1 when the person faces the right of
the image (as the figure is drawn), -1 when they face the left. World (3-D) points are
MediaPipe's (x right, y down, z away from the camera, metres); there the hip axis gives
the sides, so no facing is needed.
"""

from __future__ import annotations

import math

P2 = tuple[float, float]
P3 = tuple[float, float, float]

_DEG = 180.0 / math.pi


def wrap(deg: float) -> float:
    """An angle in degrees moved into (-180, 180]."""
    deg = math.fmod(deg, 360.0)
    if deg > 180.0:
        return deg - 360.0
    if deg <= -180.0:
        return deg + 360.0
    return deg


def interior(a: P2, b: P2, c: P2) -> float:
    """The angle at `b` between `b->a` and `b->c`, 0 to 180 degrees."""
    ux, uy, vx, vy = a[0] - b[0], a[1] - b[1], c[0] - b[0], c[1] - b[1]
    return abs(math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)) * _DEG


def interior3(a: P3, b: P3, c: P3) -> float:
    """The angle at `b` in 3-D, 0 to 180 degrees."""
    u = (a[0] - b[0], a[1] - b[1], a[2] - b[2])
    v = (c[0] - b[0], c[1] - b[1], c[2] - b[2])
    cross = math.hypot(
        u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]
    )
    return math.atan2(cross, u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) * _DEG


def lean(top: P2, bottom: P2, facing: float) -> float:
    """How far the line from `bottom` up to `top` tips from straight up; forward +."""
    return math.atan2(facing * (top[0] - bottom[0]), top[1] - bottom[1]) * _DEG


def knee_flexion(hip: P2, knee: P2, ankle: P2) -> float:
    """0 with the leg straight, 90 with the shin at right angles to the thigh."""
    return 180.0 - interior(hip, knee, ankle)


def hip_flexion(shoulders: P2, hips: P2, hip: P2, knee: P2, facing: float) -> float:
    """The thigh's angle from the trunk line: forward (flexion) +, behind (extension) -.

    `shoulders` and `hips` are the middles of the two shoulders and the two hips; the
    trunk line runs from one to the other, so leaning the whole body does not change it.
    """
    ux, uy = hips[0] - shoulders[0], hips[1] - shoulders[1]
    vx, vy = knee[0] - hip[0], knee[1] - hip[1]
    return facing * math.atan2(ux * vy - uy * vx, ux * vx + uy * vy) * _DEG


def trunk(shoulders: P2, hips: P2, facing: float, pitch: float = 0.0) -> float:
    """The trunk angle from the base's neutral line (`pitch`, as in the figure's bases:
    0 upright, -90 lying on the back with the head toward the back of the view)."""
    return wrap(lean(shoulders, hips, facing) - pitch)


def shin_tilt(knee: P2, ankle: P2, facing: float) -> float:
    """How far the knee is ahead of the ankle, as the shin's angle from vertical.

    With the foot flat, the knee passes the toes at about 24 degrees (foot 0.11 of height,
    shin 0.245), so this stands in for "knee past the toes" in a side view.
    """
    return lean(knee, ankle, facing)


def spread(hip_a: P2, knee_a: P2, hip_b: P2, knee_b: P2) -> float:
    """The angle between the two thighs, 0 to 180: how far a knee has opened."""
    ux, uy = knee_a[0] - hip_a[0], knee_a[1] - hip_a[1]
    vx, vy = knee_b[0] - hip_b[0], knee_b[1] - hip_b[1]
    return abs(math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)) * _DEG


def side_lean(shoulders: P2, hips: P2, hip: P2, other_hip: P2) -> float:
    """In a front view, how far the trunk tips sideways toward `other_hip`'s side (+),
    away from `hip`'s leg; 0 upright."""
    toward = 1.0 if other_hip[0] >= hip[0] else -1.0
    return lean(shoulders, hips, toward)


def hip_tilt(hip: P2, other_hip: P2) -> float:
    """In a front view, the line across the hips against level: + when `hip` is higher.

    A pelvis that hitches up on one side tilts this line; it is the plainest pelvis-tilt
    measure a camera gives (forward and back tilt hide inside the body).
    """
    return math.atan2(hip[1] - other_hip[1], abs(hip[0] - other_hip[0]) or 1e-9) * _DEG


# World coordinates (MediaPipe: x right, y down, z away; right-handed).


def knee_flexion3(hip: P3, knee: P3, ankle: P3) -> float:
    return 180.0 - interior3(hip, knee, ankle)


def _unit(v: P3) -> P3:
    n = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) or 1.0
    return (v[0] / n, v[1] / n, v[2] / n)


def _cross(u: P3, v: P3) -> P3:
    return (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])


def _dot(u: P3, v: P3) -> float:
    return u[0] * v[0] + u[1] * v[1] + u[2] * v[2]


def hip_flexion3(shoulders: P3, hips: P3, hip: P3, knee: P3, right_hip: P3, left_hip: P3) -> float:
    """Hip flexion in 3-D: the turn from the trunk line to the thigh about the axis
    through the hips (from the left hip to the right), flexion +."""
    u = (hips[0] - shoulders[0], hips[1] - shoulders[1], hips[2] - shoulders[2])
    v = (knee[0] - hip[0], knee[1] - hip[1], knee[2] - hip[2])
    axis = _unit(
        (right_hip[0] - left_hip[0], right_hip[1] - left_hip[1], right_hip[2] - left_hip[2])
    )
    return math.atan2(_dot(_cross(u, v), axis), _dot(u, v)) * _DEG


def trunk3(shoulders: P3, hips: P3, right_hip: P3, left_hip: P3, pitch: float = 0.0) -> float:
    """Trunk angle in 3-D against the world's up (-y), forward +, from `pitch`.

    Forward is up x (left hip to right hip); MediaPipe's world y follows the camera, so
    this assumes an upright camera, as the image angles do.
    """
    up = (0.0, -1.0, 0.0)
    forward = _unit(_cross(up, (right_hip[0] - left_hip[0], 0.0, right_hip[2] - left_hip[2])))
    w = (shoulders[0] - hips[0], shoulders[1] - hips[1], shoulders[2] - hips[2])
    return wrap(math.atan2(_dot(w, forward), _dot(w, up)) * _DEG - pitch)
