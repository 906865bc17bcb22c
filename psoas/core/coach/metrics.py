"""An exercise's angles made ready to read from frames.

Content names an angle by what it measures and which leg (`CoachAngle`); this module turns
that into a small function of a frame, once, so the per-frame work is a few lookups and an
`atan2` (the coach must keep up with thousands of frames a second). A reader gives None
when the camera cannot see the points it needs, so the rules never judge a guess.
"""

from __future__ import annotations

from collections.abc import Callable

from psoas.core.coach import angles
from psoas.core.coach.landmarks import NOSE, PARTS, Frame
from psoas.core.content.models import CoachAngle

VISIBLE = 0.5  # MediaPipe's own default confidence; the fixtures README gates the knee at it

Reader = Callable[[Frame, float], float | None]  # (frame, facing) -> degrees or None

_SH_L, _SH_R = PARTS["shoulder"]
_HIP_L, _HIP_R = PARTS["hip"]
_KNEE_L, _KNEE_R = PARTS["knee"]
_ANK_L, _ANK_R = PARTS["ankle"]
_EAR_L, _EAR_R = PARTS["ear"]
_LEGS = {"left": (_HIP_L, _KNEE_L, _ANK_L), "right": (_HIP_R, _KNEE_R, _ANK_R)}
_TRUNK = (_SH_L, _SH_R, _HIP_L, _HIP_R)


def other(side: str) -> str:
    return "left" if side == "right" else "right"


def _seen(points, idx) -> bool:
    # A plain loop: about twice as fast as all() over a generator, on every frame.
    for i in idx:  # noqa: SIM110
        if points[i][3] < VISIBLE:
            return False
    return True


def _xy(frame: Frame, i: int) -> tuple[float, float]:
    p = frame.points[i]  # type: ignore[index]
    return (p[0] * frame.aspect, -p[1])


def _mid(frame: Frame, i: int, j: int) -> tuple[float, float]:
    """The middle of a left-right pair, or the one the camera sees; side-on, the far
    shoulder or hip is often hidden behind the body, and the near one stands for both."""
    a, b = frame.points[i], frame.points[j]  # type: ignore[index]
    if a[3] < VISIBLE:
        a = b
    elif b[3] < VISIBLE:
        b = a
    return ((a[0] + b[0]) * 0.5 * frame.aspect, -(a[1] + b[1]) * 0.5)


def _trunk_seen(points) -> bool:
    """At least one shoulder and one hip."""
    return (points[_SH_L][3] >= VISIBLE or points[_SH_R][3] >= VISIBLE) and (
        points[_HIP_L][3] >= VISIBLE or points[_HIP_R][3] >= VISIBLE
    )


def _mid3(frame: Frame, i: int, j: int) -> tuple[float, float, float]:
    a, b = frame.world[i], frame.world[j]  # type: ignore[index]
    return ((a[0] + b[0]) * 0.5, (a[1] + b[1]) * 0.5, (a[2] + b[2]) * 0.5)


def _leg_reader(name: str, space: str) -> Callable[[Frame, float, str], float | None]:
    """A reader of one leg's angle; the leg is chosen later."""

    def knee(frame: Frame, facing: float, side: str) -> float | None:
        h, k, a = _LEGS[side]
        if not _seen(frame.points, (h, k, a)):
            return None
        w = frame.world
        if space == "world" and w is not None:
            return angles.knee_flexion3(w[h], w[k], w[a])
        return angles.knee_flexion(_xy(frame, h), _xy(frame, k), _xy(frame, a))

    def hip(frame: Frame, facing: float, side: str) -> float | None:
        h, k, _ = _LEGS[side]
        if not (_seen(frame.points, (h, k)) and _trunk_seen(frame.points)):
            return None
        w = frame.world
        if space == "world" and w is not None:
            return angles.hip_flexion3(
                _mid3(frame, _SH_L, _SH_R),
                _mid3(frame, _HIP_L, _HIP_R),
                w[h],
                w[k],
                w[_HIP_R],
                w[_HIP_L],
            )
        return angles.hip_flexion(
            _mid(frame, _SH_L, _SH_R),
            _mid(frame, _HIP_L, _HIP_R),
            _xy(frame, h),
            _xy(frame, k),
            facing,
        )

    def shin(frame: Frame, facing: float, side: str) -> float | None:
        _, k, a = _LEGS[side]
        if not _seen(frame.points, (k, a)):
            return None
        return angles.shin_tilt(_xy(frame, k), _xy(frame, a), facing)

    return {"knee_flexion": knee, "hip_flexion": hip, "shin_tilt": shin}[name]


def reader(spec: CoachAngle, side: str, pitch: float = 0.0) -> Reader:
    """The function that reads `spec` from a frame for a person working `side`; `pitch`
    is the trunk's neutral line in the exercise's position, as the figure's base has it
    (0 upright, -90 lying on the back)."""
    me, them = side, other(side)
    if spec.leg is not None:
        leg = _leg_reader(spec.name, spec.space)
        if spec.leg in ("side", "other"):
            which = me if spec.leg == "side" else them
            return lambda f, facing: leg(f, facing, which)
        if spec.leg == "difference":

            def difference(f: Frame, facing: float) -> float | None:
                a, b = leg(f, facing, me), leg(f, facing, them)
                return None if a is None or b is None else a - b

            return difference
        pick = {"most": max, "least": min, "both": lambda v: sum(v) / len(v)}[spec.leg]

        def either(f: Frame, facing: float) -> float | None:
            """The legs the camera sees: side-on, the far one is often hidden."""
            values = [v for v in (leg(f, facing, "left"), leg(f, facing, "right")) if v is not None]
            return pick(values) if values else None

        return either
    return _body_reader(spec, me, pitch)


def _body_reader(spec: CoachAngle, side: str, pitch: float) -> Reader:
    hip_me, hip_them = _LEGS[side][0], _LEGS[other(side)][0]

    def trunk(f: Frame, facing: float) -> float | None:
        if not _trunk_seen(f.points):
            return None
        w = f.world
        if spec.space == "world" and w is not None:
            return angles.trunk3(
                _mid3(f, _SH_L, _SH_R), _mid3(f, _HIP_L, _HIP_R), w[_HIP_R], w[_HIP_L], pitch
            )
        return angles.trunk(_mid(f, _SH_L, _SH_R), _mid(f, _HIP_L, _HIP_R), facing, pitch)

    def spread(f: Frame, facing: float) -> float | None:
        if not _seen(f.points, (_HIP_L, _HIP_R, _KNEE_L, _KNEE_R)):
            return None
        return angles.spread(_xy(f, _HIP_L), _xy(f, _KNEE_L), _xy(f, _HIP_R), _xy(f, _KNEE_R))

    def side_lean(f: Frame, facing: float) -> float | None:
        if not _seen(f.points, _TRUNK):  # both hips: they say which way is "away"
            return None
        return angles.side_lean(
            _mid(f, _SH_L, _SH_R), _mid(f, _HIP_L, _HIP_R), _xy(f, hip_me), _xy(f, hip_them)
        )

    def hip_tilt(f: Frame, facing: float) -> float | None:
        if not _seen(f.points, (_HIP_L, _HIP_R)):
            return None
        return angles.hip_tilt(_xy(f, hip_me), _xy(f, hip_them))

    return {
        "trunk": trunk,
        "thigh_spread": spread,
        "side_lean": side_lean,
        "hip_tilt": hip_tilt,
    }[spec.name]


def needs_facing(spec: CoachAngle) -> bool:
    """Whether the angle's sign depends on which way the person faces (image angles in
    the body's own forward-back plane do)."""
    return spec.space == "image" and spec.name in ("hip_flexion", "trunk", "shin_tilt")


def facing_cue(trunk_sign: float) -> Callable[[Frame], float]:
    """A per-frame guess of which way the person faces: +1 right, -1 left, 0 unsure.

    Upright, the nose is ahead of the ears. Lying down or on all fours the face may point
    at the ceiling or the floor, but the head end of the trunk then says it: `trunk_sign`
    is the side of the picture the head lies on when the person faces right, as the figure
    is drawn (0 for an upright exercise).
    """
    if trunk_sign:

        def by_trunk(f: Frame) -> float:
            if not _trunk_seen(f.points):
                return 0.0
            sx, sy = _mid(f, _SH_L, _SH_R)
            hx, hy = _mid(f, _HIP_L, _HIP_R)
            dx = sx - hx
            if abs(dx) < 0.7 * ((dx * dx + (sy - hy) ** 2) ** 0.5):
                return 0.0
            return trunk_sign if dx > 0 else -trunk_sign

        return by_trunk

    def by_head(f: Frame) -> float:
        p = f.points
        if p[NOSE][3] < VISIBLE:  # type: ignore[index]
            return 0.0
        ears = [p[i] for i in (_EAR_L, _EAR_R) if p[i][3] >= VISIBLE]  # type: ignore[index]
        if not ears:
            return 0.0
        ear_x = sum(e[0] for e in ears) / len(ears)
        sx, sy = _mid(f, _SH_L, _SH_R)
        hx, hy = _mid(f, _HIP_L, _HIP_R)
        torso = ((sx - hx) ** 2 + (sy - hy) ** 2) ** 0.5 or 1.0
        dx = (p[NOSE][0] - ear_x) * f.aspect  # type: ignore[index]
        if abs(dx) < 0.08 * torso:  # facing the camera or away: no side to tell
            return 0.0
        return 1.0 if dx > 0 else -1.0

    return by_head
