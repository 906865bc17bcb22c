"""The frames of an illustration and the props around them, in one fixed window.

Every picture shares one window (in body heights), so figures keep the same size from
exercise to exercise and a page can lay them out in a grid; the tests check that every
pose of every exercise fits inside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from psoas.core.content.models import Illustration, Pose
from psoas.core.figure import body
from psoas.core.figure.placement import Point, depths, interpolate, place, radius

# x from LEFT to RIGHT, y from BOTTOM (below the floor, room for its line) to TOP.
LEFT, RIGHT, BOTTOM, TOP = -0.62, 0.62, -0.06, 1.06

Frame = dict[str, Point]


@dataclass(frozen=True)
class Prop:
    """A simple shape behind the figure: `kind` is line, polyline, circle or rect."""

    kind: str
    points: tuple[Point, ...]
    size: float = 0.0  # circle radius, or corner radius of a rect


@dataclass(frozen=True)
class Scene:
    frames: list[Frame]  # from the start pose to the end pose
    props: list[Prop]
    depth: dict[str, float]  # of each joint halfway through, larger nearer the camera


def _ease(t: float) -> float:
    """Slow out of one pose and into the next, as a person moves."""
    return t * t * (3 - 2 * t)


def _frame(start: Pose, end: Pose, t: float, view: str) -> Frame:
    pose = interpolate(start, end, t)
    if start.base == end.base:
        return _above_floor(pose, view)
    a = place(pose.model_copy(update={"base": start.base}), view)
    b = place(pose.model_copy(update={"base": end.base}), view)
    return {n: (a[n][0] * (1 - t) + b[n][0] * t, a[n][1] * (1 - t) + b[n][1] * t) for n in a}


def _above_floor(pose: Pose, view: str) -> Frame:
    """Place an in-between pose; on a chair or a table, a leg swinging down past the
    floor folds at the knee instead, so the foot slides along the floor."""
    frame = place(pose, view)
    if body.BASES[pose.base].support == "floor":
        return frame
    joints = dict(pose.joints)
    for side in ("left", "right"):
        leg = [f"{j}_{side}" for j in ("knee", "ankle")]
        while min(frame[n][1] - radius(n) for n in leg) < 0 and joints[f"knee_{side}"] < 180:
            joints[f"knee_{side}"] = min(joints[f"knee_{side}"] + 5, 180)
            frame = place(pose.model_copy(update={"joints": joints}), view)
    return frame


def _bounds(frames: Iterable[Frame]) -> tuple[float, float, float, float]:
    xs0, ys0, xs1, ys1 = [], [], [], []
    for frame in frames:
        for name, (x, y) in frame.items():
            r = radius(name)
            xs0.append(x - r)
            xs1.append(x + r)
            ys0.append(y - r)
            ys1.append(y + r)
    return min(xs0), min(ys0), max(xs1), max(ys1)


def _shift(frames: list[Frame], dx: float, dy: float) -> list[Frame]:
    return [{n: (x + dx, y + dy) for n, (x, y) in f.items()} for f in frames]


def build(ill: Illustration, steps: int, equipment: Iterable[str] = ()) -> Scene:
    """Frames from start to end (`steps` + 1 of them), centred in the window, and props."""
    frames = [_frame(ill.start, ill.end, _ease(i / steps), ill.view) for i in range(steps + 1)]
    view = "side" if ill.view == "top" else ill.view
    overhead = body.BASES[ill.end.base].views[view].overhead
    x0, y0, x1, y1 = _bounds(frames)
    dy = (BOTTOM + TOP) / 2 - (y0 + y1) / 2 if overhead else 0.0
    frames = _shift(frames, (LEFT + RIGHT) / 2 - (x0 + x1) / 2, dy)
    depth = depths(interpolate(ill.start, ill.end, 0.5), view)
    return Scene(frames, _props(ill, frames, set(equipment), overhead), depth)


def _props(ill: Illustration, frames: list[Frame], kit: set[str], overhead: bool) -> list[Prop]:
    first, last = frames[0], frames[-1]
    if overhead:
        x0, y0, x1, y1 = _bounds(frames)
        mat = Prop("rect", ((x0 - 0.04, y0 - 0.04), (x1 + 0.04, y1 + 0.04)), 0.03)
        return [mat, *_roller_from_above(ill, last)] if "foam_roller" in kit else [mat]
    props = [Prop("line", ((LEFT + 0.03, 0.0), (RIGHT - 0.03, 0.0)))]
    pelvis = last["pelvis"]
    if ill.end.base == "seated":
        props.append(_chair(pelvis[0] - 0.13, pelvis[0] + 0.12))
    elif ill.end.base == "table_edge":
        top = body.TABLE_PELVIS - body.TORSO_WIDTH / 2
        left, edge = LEFT + 0.04, pelvis[0] + 0.04
        props.append(Prop("polyline", ((left, top), (edge, top))))
        props += [Prop("line", ((x, top), (x, 0.0))) for x in (left + 0.06, edge - 0.06)]
    elif ill.end.base == "standing" and "chair" in kit:
        hand = max((first["wrist_left"], first["wrist_right"]), key=lambda p: p[0])
        props.append(_chair(hand[0] + 0.03, hand[0] + 0.28, back_top=hand[1]))
    if "stability_ball" in kit:
        heights = [f["neck"][1] - radius("neck") for f in (first, last)]
        r = sum(heights) / len(heights) / 2
        props.append(Prop("circle", ((last["neck"][0] + 0.03, r),), r))
    if "foam_roller" in kit:
        props.append(Prop("circle", ((pelvis[0], 0.045),), 0.045))
    return props


def _chair(back: float, front: float, back_top: float | None = None) -> Prop:
    """A chair seen from the side, as one line: backrest at `back`, seat out to `front`."""
    seat = body.SEAT_PELVIS - body.TORSO_WIDTH / 2
    top = back_top if back_top is not None else seat + 0.26
    return Prop("polyline", ((back, 0.0), (back, top), (back, seat), (front, seat), (front, 0.0)))


def _roller_from_above(ill: Illustration, frame: Frame) -> list[Prop]:
    """From above a foam roller is a long rounded bar. Lying face down it runs along the
    body under the thigh that is bent out (rolling the inner thigh); otherwise it lies
    across the body under the hip (rolling the side of the hip)."""
    if ill.end.base == "lying_front":
        side = max(("left", "right"), key=lambda s: ill.end.joints.get(f"hip_abduction_{s}", 0))
        (hx, hy), (kx, ky) = frame[f"hip_{side}"], frame[f"knee_{side}"]
        cx, cy = (hx + kx) / 2, (hy + ky) / 2
        return [Prop("rect", ((cx - 0.17, cy - 0.045), (cx + 0.17, cy + 0.045)), 0.045)]
    px, py = frame["pelvis"]
    return [Prop("rect", ((px + 0.02, py - 0.17), (px + 0.11, py + 0.17)), 0.045)]
