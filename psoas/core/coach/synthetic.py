"""Landmark frames made from the figure model: footage of moves no public clip shows.

The exercise pictures are drawn from key poses (docs/figure.md). Here the same skeleton is
projected to BlazePose's 33 landmarks as a camera would see it, side-on or from the front,
so the coach can be tested on every exercise with known answers: so many reps at such a
tempo, a hold of so many seconds, a fault of so many degrees at a given rep. Noise,
hidden joints and dropped frames make it look more like a real pose model's output.

The pictures always work the right leg; `side="left"` swaps the legs. `facing=-1` turns
the person round so they face the left of the picture (the camera on their other side).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from psoas.core.coach.landmarks import COUNT, INDEX, Frame
from psoas.core.content.models import CoachAngle, CoachFault, Exercise, Pose
from psoas.core.figure import body, interpolate
from psoas.core.figure.kinematics import skeleton

HEIGHT_M = 1.7  # world landmarks in metres for a person this tall
SCALE = 0.6  # a standing person fills this much of the picture's height
Vec = tuple[float, float, float]


def _add(a: Vec, b: Vec, k: float = 1.0) -> Vec:
    return (a[0] + b[0] * k, a[1] + b[1] * k, a[2] + b[2] * k)


def _unit(v: Vec) -> Vec:
    n = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2) or 1.0
    return (v[0] / n, v[1] / n, v[2] / n)


def _swap(name: str) -> str:
    if name.endswith("_left"):
        return name[:-5] + "_right"
    if name.endswith("_right"):
        return name[:-6] + "_left"
    return name


def body_points(pose: Pose, side: str = "right") -> dict[str, Vec]:
    """All 33 landmarks of `pose` in the figure's 3-D frame (forward, up, left), pelvis at
    the origin, in body heights. The face, hands and heels, which the figure does not
    draw, are put where they sit on a person of the figure's proportions."""
    angles = body.resolve(pose.base, pose.joints)
    if side == "left":
        angles = {_swap(k): v for k, v in angles.items()}
    j = skeleton(angles, body.BASES[pose.base])
    r = body.HEAD_R
    head, neck = j["head"], j["neck"]
    up = _unit((head[0] - neck[0], head[1] - neck[1], head[2] - neck[2]))
    fwd = (up[1], -up[0], 0.0)  # the face turns with the head in the forward-up plane
    left = (0.0, 0.0, 1.0)

    def face(f: float, u: float, lft: float) -> Vec:
        return _add(_add(_add(head, fwd, f * r), up, u * r), left, lft * r)

    pts: dict[str, Vec] = {
        "nose": face(0.95, -0.15, 0),
        "left_eye_inner": face(0.8, 0.25, 0.15),
        "left_eye": face(0.75, 0.25, 0.35),
        "left_eye_outer": face(0.65, 0.25, 0.55),
        "right_eye_inner": face(0.8, 0.25, -0.15),
        "right_eye": face(0.75, 0.25, -0.35),
        "right_eye_outer": face(0.65, 0.25, -0.55),
        "left_ear": face(-0.05, 0.1, 0.95),
        "right_ear": face(-0.05, 0.1, -0.95),
        "mouth_left": face(0.8, -0.5, 0.25),
        "mouth_right": face(0.8, -0.5, -0.25),
    }
    for s, sign in (("left", 1.0), ("right", -1.0)):
        wrist, elbow = j[f"wrist_{s}"], j[f"elbow_{s}"]
        hand = _unit((wrist[0] - elbow[0], wrist[1] - elbow[1], wrist[2] - elbow[2]))
        ankle, toe, knee = j[f"ankle_{s}"], j[f"toe_{s}"], j[f"knee_{s}"]
        foot = (toe[0] - ankle[0], toe[1] - ankle[1], toe[2] - ankle[2])
        shin = _unit((ankle[0] - knee[0], ankle[1] - knee[1], ankle[2] - knee[2]))
        pts |= {
            f"{s}_shoulder": j[f"shoulder_{s}"],
            f"{s}_elbow": elbow,
            f"{s}_wrist": wrist,
            f"{s}_pinky": _add(_add(wrist, hand, 0.045), left, -0.012 * sign),
            f"{s}_index": _add(wrist, hand, 0.05),
            f"{s}_thumb": _add(_add(wrist, hand, 0.03), left, 0.015 * sign),
            f"{s}_hip": j[f"hip_{s}"],
            f"{s}_knee": knee,
            f"{s}_ankle": ankle,
            f"{s}_heel": _add(_add(ankle, foot, -0.25), shin, 0.03),
            f"{s}_foot_index": toe,
        }
    return pts


@dataclass(frozen=True)
class Camera:
    """Where the camera is: `view` side or front (the figure's views of the base),
    `facing` +1 or -1, the picture's `aspect`, and the person's place in it."""

    view: str = "side"
    facing: float = 1.0
    aspect: float = 16 / 9
    centre: tuple[float, float] = (0.5, 0.55)


def frame_of(pose: Pose, t: float, camera: Camera = Camera(), side: str = "right") -> Frame:
    """One clean frame of `pose` at time `t`: image and world landmarks, all visible."""
    pts = body_points(pose, side)
    view = body.BASES[pose.base].views.get(camera.view, body.BASES[pose.base].views["side"])
    toward = view.toward
    cx, cy = camera.centre
    image, world = [], []
    for name in _ORDER:
        p = pts[name]
        x = camera.facing * (p[0] * view.x[0] + p[1] * view.x[1] + p[2] * view.x[2])
        y = p[0] * view.y[0] + p[1] * view.y[1] + p[2] * view.y[2]
        near = camera.facing * (p[0] * toward[0] + p[1] * toward[1] + p[2] * toward[2])
        # Turning the person round is a half turn about the vertical: x and depth flip.
        image.append(
            (cx + x * SCALE / camera.aspect, cy - y * SCALE, -near * SCALE / camera.aspect, 0.99)
        )
        world.append((x * HEIGHT_M, -y * HEIGHT_M, -near * HEIGHT_M))
    return Frame(t, tuple(image), tuple(world), camera.aspect)


_ORDER = tuple(sorted(INDEX, key=INDEX.__getitem__))
assert len(_ORDER) == COUNT


def _ease(t: float) -> float:
    return t * t * (3 - 2 * t)


def _pushed(pose: Pose, push: Mapping[str, float], amount: float) -> Pose:
    joints = body.resolve(pose.base, pose.joints)
    for name, deg in push.items():
        if name in joints:
            joints[name] += deg * amount
    return Pose(base=pose.base, joints=joints)


# Faults the figure cannot pose (it has no sideways trunk or pelvis joint) are made on
# the landmarks: the trunk tipped away from the working leg, or the working hip raised.
_LANDMARK_PUSHES = ("side_lean", "hip_tilt")


def _landmark_push(frame: Frame, push: Mapping[str, float], amount: float, side: str) -> Frame:
    if not any(push.get(k) for k in _LANDMARK_PUSHES) or frame.points is None:
        return frame
    pts = [list(p) for p in frame.points]
    a = frame.aspect
    me, them = INDEX[f"{side}_hip"], INDEX[f"{'left' if side == 'right' else 'right'}_hip"]
    lean = push.get("side_lean", 0.0) * amount
    if lean:
        cx = (pts[me][0] + pts[them][0]) / 2 * a
        cy = (pts[me][1] + pts[them][1]) / 2
        away = 1.0 if pts[them][0] >= pts[me][0] else -1.0
        c, s = math.cos(math.radians(lean)), math.sin(math.radians(lean)) * away
        for name in _UPPER:
            i = INDEX[name]
            dx, dy = pts[i][0] * a - cx, pts[i][1] - cy
            # Tip the upper body about the hips toward the other side (y is down).
            pts[i][0] = (cx + dx * c - dy * s) / a
            pts[i][1] = cy + dx * s + dy * c
    tilt = push.get("hip_tilt", 0.0) * amount
    if tilt:
        width = abs(pts[me][0] - pts[them][0]) * a
        pts[me][1] -= width * math.tan(math.radians(tilt))
    return Frame(frame.t, tuple(tuple(p) for p in pts), frame.world, frame.aspect)  # type: ignore[arg-type]


_UPPER = tuple(
    n
    for n in INDEX
    if not any(n.endswith(s) for s in ("hip", "knee", "ankle", "heel", "foot_index"))
)


@dataclass
class Clip:
    """Frames and the truth about them: the reps (start, end) in seconds as performed,
    the holds (start, end), and the faults as (rep or hold number, fault id)."""

    frames: list[Frame]
    reps: list[tuple[float, float]] = field(default_factory=list)
    holds: list[tuple[float, float]] = field(default_factory=list)
    faults: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Mess:
    """What makes frames look like a pose model's: `noise_deg` jitters every point so
    that a thigh's angle moves by up to about that much; `hidden` lists (start_s, end_s,
    landmark names) with low visibility and the points thrown off; `drop` is the share
    of frames lost; `missing` lists (start_s, end_s) with no person found."""

    noise_deg: float = 0.0
    hidden: Sequence[tuple[float, float, Sequence[str]]] = ()
    drop: float = 0.0
    missing: Sequence[tuple[float, float]] = ()
    seed: int = 0


def messy(frames: list[Frame], mess: Mess) -> list[Frame]:
    """`frames` as a pose model might give them (see `Mess`)."""
    rng = random.Random(mess.seed)
    # A thigh is 0.245 body heights; moving both its ends by `jitter` turns it by noise_deg.
    jitter = math.tan(math.radians(mess.noise_deg)) * body.THIGH * SCALE / 2
    out = []
    for f in frames:
        if mess.drop and rng.random() < mess.drop:
            continue
        if any(a <= f.t < b for a, b in mess.missing):
            out.append(Frame(f.t, None, None, f.aspect))
            continue
        pts = [list(p) for p in f.points]  # type: ignore[union-attr]
        if jitter:
            for p in pts:
                p[0] += rng.uniform(-jitter, jitter) / f.aspect
                p[1] += rng.uniform(-jitter, jitter)
        for a, b, names in mess.hidden:
            if a <= f.t < b:
                for name in names:
                    p = pts[INDEX[name]]
                    p[3] = rng.uniform(0.05, 0.4)
                    # A hidden joint is often guessed far off (the yoga clip puts a knee
                    # near the hands): move it, so that only the gate stands between the
                    # guess and a false fault.
                    p[0] += rng.uniform(-0.15, 0.15)
                    p[1] += rng.uniform(-0.15, 0.15)
        out.append(Frame(f.t, tuple(tuple(p) for p in pts), f.world, f.aspect))  # type: ignore[arg-type]
    return out


def movement(
    exercise: Exercise,
    durations: Sequence[float],
    *,
    pause_s: float = 0.0,
    rest_s: float = 1.0,
    fps: float = 30.0,
    side: str = "right",
    camera: Camera | None = None,
    pushes: Mapping[int, Mapping[str, float]] | None = None,
    push_s: float | None = None,
    mess: Mess = Mess(),
) -> Clip:
    """Reps or holds from the start pose to the end pose and back, one per entry of
    `durations`: for reps the time down and back up (a pause of `pause_s` at the end pose
    comes on top), for holds the seconds held at the end pose (moving in and out takes
    0.5 s each way). `rest_s` at the start pose comes before, between and after.
    `pushes[n]` moves the figure's joints (or `side_lean`, `hip_tilt`) by so many
    degrees in rep or hold n (from 1), full at the end pose, none at the start pose; in a
    hold, `push_s` makes it a slip of that many seconds in the middle of the hold.

    The truth: a rep runs from leaving the start pose to being back in it; a hold from
    the moment the figure is halfway in to the moment it is halfway out.
    """
    ill = exercise.illustration
    coach = exercise.coach
    hold = getattr(coach, "mode", "reps") == "hold"
    cam = camera or Camera(view=getattr(coach, "view", ill.view))
    pushes = pushes or {}
    clip = Clip([])
    segments: list[tuple[float, float, float]] = []  # (start, stop, time to move in)
    t = rest_s
    for d in durations:
        move = 0.5 if hold else d / 2
        stop = t + 2 * move + (d if hold else pause_s)
        segments.append((t, stop, move))
        if hold:
            clip.holds.append((t + move / 2, stop - move / 2))
        else:
            clip.reps.append((t, stop))
        t = stop + rest_s
    frames = []
    for i in range(int(t * fps) + 1):
        now = i / fps
        frac, n, slip = 0.0, 0, 1.0
        for k, (start, stop, move) in enumerate(segments, start=1):
            if start <= now <= stop:
                frac, n = min(1.0, (now - start) / move, (stop - now) / move), k
                if hold and push_s is not None:
                    off = abs(now - (start + stop) / 2) - push_s / 2
                    slip = min(max(1.0 - off / 0.1, 0.0), 1.0)
                break
        amount = _ease(frac)
        pose = interpolate(ill.start, ill.end, amount)
        push = pushes.get(n, {})
        if push:
            pose = _pushed(pose, push, amount * slip)
        f = frame_of(pose, now, cam, side)
        frames.append(_landmark_push(f, push, amount * slip, side) if push else f)
    clip.frames = messy(frames, mess)
    return clip


def push_for(fault: CoachFault, size: float) -> dict[str, float]:
    """Joint moves that take `fault`'s angle `size` degrees further in its bad direction,
    leaving the exercise's other angles alone where the figure allows.

    Leaning the trunk turns the hips the other way, so the legs stay put; a shin tips
    forward as its knee bends and its thigh swings back, half each, so neither joint
    leaves its range.
    """
    sign = 1.0 if fault.above is not None else -1.0
    d = sign * size
    return _push(fault.angle, d)


def _push(angle: CoachAngle, d: float) -> dict[str, float]:
    # `side`, `other`: that leg; `difference`: the working leg; `most`, `least`, `both`:
    # both legs, as when the hips sink or arch in a bridge.
    legs = {"side": ["right"], "other": ["left"], "difference": ["right"]}.get(
        angle.leg or "", ["left", "right"]
    )
    if angle.name == "trunk":
        return {"trunk": d, "hip_left": d, "hip_right": d}
    if angle.name == "hip_flexion":
        return {f"hip_{leg}": d for leg in legs}
    if angle.name == "knee_flexion":
        return {f"knee_{leg}": d for leg in legs}
    if angle.name == "shin_tilt":  # half from the knee, half from the hip: the same tilt
        return {f"{j}_{leg}": d / 2 * k for leg in legs for j, k in (("knee", 1), ("hip", -1))}
    if angle.name == "thigh_spread":
        return {"hip_abduction_right": d}
    return {angle.name: d}
