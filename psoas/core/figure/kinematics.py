"""Forward kinematics: a pose's joint angles to joint positions.

The skeleton is built in three dimensions (forward, up, left) so that one model gives the
side view, the front view and, later, synthetic landmarks for the camera coach; a view
is then a projection onto two axes. Sagittal angles rotate in the forward-up plane:
trunk and neck flexion tip forward, hip and shoulder flexion swing the limb forward,
knee flexion folds the shin back, elbow flexion folds the forearm forward, and ankle +
points the toes (0 is a foot at right angles to the shin).

The content has no hip rotation, so hip abduction stands in for the exercises that open
a bent knee: with a straight knee the leg swings out about the front-back axis (a side
leg raise); with the knee bent it turns about the trunk's long axis through the hip, so
the knee opens while the foot stays near the line of the trunk, as in a clamshell or a
fire hydrant. Knee angles in between blend the two axes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from psoas.core.figure import body

Vec = tuple[float, float, float]
DOWN: Vec = (0.0, -1.0, 0.0)


def _add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _scale(v: Vec, k: float) -> Vec:
    return (v[0] * k, v[1] * k, v[2] * k)


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _turn(v: Vec, deg: float) -> Vec:
    """Rotate in the sagittal plane; + turns forward into up (a limb hanging down swings
    forward)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (v[0] * c - v[1] * s, v[0] * s + v[1] * c, v[2])


def _about(v: Vec, axis: Vec, deg: float) -> Vec:
    """Rotate `v` about the unit `axis` (Rodrigues' formula)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    a = axis
    cross = (a[1] * v[2] - a[2] * v[1], a[2] * v[0] - a[0] * v[2], a[0] * v[1] - a[1] * v[0])
    along = _dot(a, v) * (1 - c)
    return (
        v[0] * c + cross[0] * s + a[0] * along,
        v[1] * c + cross[1] * s + a[1] * along,
        v[2] * c + cross[2] * s + a[2] * along,
    )


def _leg(angles: Mapping[str, float], side: str) -> tuple[Vec, Vec, Vec]:
    """Thigh, shin and foot vectors of one leg in the pelvis frame."""
    hip, knee = angles[f"hip_{side}"], angles[f"knee_{side}"]
    thigh = _scale(_turn(DOWN, hip), body.THIGH)
    shin = _scale(_turn(DOWN, hip - knee), body.SHANK)
    foot = _scale(_turn((1.0, 0.0, 0.0), hip - knee - angles[f"ankle_{side}"]), body.FOOT)
    abduction = angles[f"hip_abduction_{side}"]
    if not abduction:
        return thigh, shin, foot
    bend = math.radians(min(max(knee, 0.0), 90.0))
    normal = _scale(_turn(thigh, 90), 1 / body.THIGH)
    axis = _add(_scale(normal, math.cos(bend)), (0.0, math.sin(bend), 0.0))
    norm = math.sqrt(_dot(axis, axis)) or 1.0
    axis = _scale(axis, 1 / norm)
    # Positive turns about these axes carry the leg toward the right; the left leg mirrors.
    deg = abduction if side == "right" else -abduction
    return _about(thigh, axis, deg), _about(shin, axis, deg), _about(foot, axis, deg)


def skeleton(angles: Mapping[str, float], base: body.Base) -> dict[str, Vec]:
    """Joint positions in the base frame (forward, up, left), pelvis at the origin.

    `angles` must hold every joint (see `body.resolve`).
    """
    tilt = -(angles["trunk"] + base.pitch)

    def frame(v: Vec) -> Vec:
        return _turn(v, tilt)

    def chest(v: Vec) -> Vec:
        return _turn(v, tilt + base.chest_lift)

    neck = chest((0.0, body.TRUNK, 0.0))
    head_dir = chest(_turn((0.0, 1.0, 0.0), -angles["neck"]))
    points: dict[str, Vec] = {
        "pelvis": (0.0, 0.0, 0.0),
        "neck": neck,
        "head": _add(neck, _scale(head_dir, body.NECK + body.HEAD_R)),
    }
    for side, sign in (("left", 1.0), ("right", -1.0)):
        shoulder = _add(neck, (0.0, 0.0, sign * body.SHOULDER_HALF_WIDTH))
        arm = angles[f"shoulder_{side}"]
        elbow = _add(shoulder, chest(_scale(_turn(DOWN, arm), body.UPPER_ARM)))
        wrist = _add(elbow, chest(_scale(_turn(DOWN, arm + angles[f"elbow_{side}"]), body.FOREARM)))
        hip: Vec = (0.0, 0.0, sign * body.HIP_HALF_WIDTH)
        thigh, shin, foot = (frame(v) for v in _leg(angles, side))
        knee = _add(hip, thigh)
        ankle = _add(knee, shin)
        points |= {
            f"shoulder_{side}": shoulder,
            f"elbow_{side}": elbow,
            f"wrist_{side}": wrist,
            f"hip_{side}": hip,
            f"knee_{side}": knee,
            f"ankle_{side}": ankle,
            f"toe_{side}": _add(ankle, foot),
        }
    return points


def project(points: Mapping[str, Vec], view: body.View) -> dict[str, tuple[float, float]]:
    return {name: (_dot(p, view.x), _dot(p, view.y)) for name, p in points.items()}


def toward(points: Mapping[str, Vec], view: body.View) -> dict[str, float]:
    """Each point's distance toward the camera of `view`."""
    return {name: _dot(p, view.toward) for name, p in points.items()}
