"""Draw an exercise illustration as a small, self-contained, accessible SVG.

The figure is a few round-capped strokes in one calm colour, with the figure's left arm
and leg lighter (in the side view that is the far side) so left and right read apart.
Motion uses SMIL `<animate>` on each part, through several in-between frames, so joints
swing along arcs rather than sliding in straight lines. CSS cannot pause SMIL, so the
animated picture also carries a still end pose and a `prefers-reduced-motion` rule that
shows it instead; `animate=False` gives the start and end poses side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from psoas.core.content.models import Illustration
from psoas.core.figure import body
from psoas.core.figure.scene import BOTTOM, LEFT, RIGHT, TOP, Frame, Prop, build

SCALE = 100  # SVG units per body height
WIDTH = round((RIGHT - LEFT) * SCALE)
HEIGHT = round((TOP - BOTTOM) * SCALE)
NEAR, FAR = "#24617f", "#5f93ad"  # contrast on white: 6.8:1 and 3.3:1
GROUND, PROP_FILL = "#7f8f9b", "#eef2f5"  # floor and props: 3.3:1
DURATION_S = 5
STEPS = 4  # frames from start to end: enough for joints to swing along arcs

Part = tuple[str, tuple[str, ...], float, str]  # element, joints, stroke width, colour

# Listed back to front for the side view; other views sort them by depth (see below).
PARTS: tuple[Part, ...] = (
    ("polyline", ("shoulder_left", "elbow_left", "wrist_left"), body.ARM_WIDTH, FAR),
    ("polyline", ("hip_left", "knee_left", "ankle_left", "toe_left"), body.LEG_WIDTH, FAR),
    (
        "polygon",
        ("hip_left", "hip_right", "shoulder_right", "shoulder_left"),
        body.TORSO_WIDTH,
        NEAR,
    ),
    ("polyline", ("neck", "head"), body.NECK_WIDTH, NEAR),
    ("circle", ("head",), 0.0, NEAR),
    ("polyline", ("hip_right", "knee_right", "ankle_right", "toe_right"), body.LEG_WIDTH, NEAR),
    ("polyline", ("shoulder_right", "elbow_right", "wrist_right"), body.ARM_WIDTH, NEAR),
)

_STYLE = (
    "<style>.still{display:none}"
    "@media (prefers-reduced-motion:reduce){.moving{display:none}.still{display:inline}}"
    "</style>"
)
_FIGURE = 'fill="none" stroke-linecap="round" stroke-linejoin="round"'


def _num(v: float) -> str:
    text = f"{v:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _xy(p: tuple[float, float], dx: float) -> tuple[str, str]:
    """World point (body heights, y up) to SVG user units (y down), shifted right by dx."""
    return _num((p[0] - LEFT) * SCALE + dx), _num((TOP - p[1]) * SCALE)


def _points(frame: Frame, names: tuple[str, ...], dx: float) -> str:
    return " ".join(",".join(_xy(frame[n], dx)) for n in names)


def _timeline(frames: list[Frame]) -> tuple[list[Frame], str]:
    """Rest at the start, move, rest at the end, move back: the frames and keyTimes."""
    n = len(frames) - 1
    seq = [frames[0], *frames, *frames[-1:], *frames[-2::-1]]
    moves = [0.35 * i / n for i in range(n + 1)]
    times = [0.0, *(0.1 + m for m in moves), *(0.65 + m for m in moves)]
    return seq, ";".join(f"{t:.3g}" for t in times)


def _animate(attribute: str, values: list[str], key_times: str) -> str:
    return (
        f'<animate attributeName="{attribute}" dur="{DURATION_S}s" repeatCount="indefinite" '
        f'keyTimes="{key_times}" values="{";".join(values)}"/>'
    )


def _part(part: Part, frames: list[Frame], dx: float, key_times: str | None) -> str:
    """One element at the first frame, animated through all frames when `key_times`."""
    tag, names, width, colour = part
    if tag == "circle":
        cx, cy = _xy(frames[0][names[0]], dx)
        inner = ""
        if key_times:
            spots = [_xy(f[names[0]], dx) for f in frames]
            inner = _animate("cx", [s[0] for s in spots], key_times)
            inner += _animate("cy", [s[1] for s in spots], key_times)
        r = _num(body.HEAD_R * SCALE)
        return f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{colour}" stroke="none">{inner}</circle>'
    fill = f' fill="{colour}"' if tag == "polygon" else ""
    inner = ""
    if key_times:
        inner = _animate("points", [_points(f, names, dx) for f in frames], key_times)
    return (
        f'<{tag} points="{_points(frames[0], names, dx)}" stroke="{colour}" '
        f'stroke-width="{_num(width * SCALE)}"{fill}>{inner}</{tag}>'
    )


def _in_depth_order(depth: dict[str, float]) -> list[Part]:
    """Far parts first, so near ones cover them; ties keep the order of PARTS."""
    return sorted(PARTS, key=lambda p: round(sum(depth[n] for n in p[1]) / len(p[1]), 3))


def _figure(
    parts: list[Part], frames: list[Frame], dx: float, key_times: str | None = None, cls: str = ""
) -> str:
    attr = f' class="{cls}"' if cls else ""
    drawn = "".join(_part(p, frames, dx, key_times) for p in parts)
    return f"<g{attr} {_FIGURE}>{drawn}</g>"


def _prop(prop: Prop, dx: float) -> str:
    style = f'stroke="{GROUND}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'
    pts = [_xy(p, dx) for p in prop.points]
    if prop.kind == "line":
        (x1, y1), (x2, y2) = pts
        return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" {style}/>'
    if prop.kind == "polyline":
        coords = " ".join(f"{x},{y}" for x, y in pts)
        return f'<polyline points="{coords}" fill="none" {style}/>'
    if prop.kind == "circle":
        (cx, cy), r = pts[0], _num(prop.size * SCALE)
        return f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{PROP_FILL}" {style}/>'
    (x0, y0), (x1, y1) = prop.points  # lower left and upper right corners
    x, y = _xy((x0, y1), dx)
    w, h, rx = (_num(v * SCALE) for v in (x1 - x0, y1 - y0, prop.size))
    return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{rx}" fill="{PROP_FILL}" {style}/>'


def render_svg(
    illustration: Illustration,
    *,
    animate: bool = True,
    title: str | None = None,
    equipment: Iterable[str] = (),
) -> str:
    """The illustration as SVG text.

    `animate` moves the figure between the start and end poses (and shows the still end
    pose to people who ask for reduced motion); without it the two poses stand side by
    side. `title` names the picture (the exercise name); the caption becomes its
    description. `equipment` (the exercise's required equipment) adds a stability ball,
    foam roller or chair where the pose uses one; the chair of a seated pose and the
    table of a table-edge pose are always drawn.
    """
    scene = build(illustration, STEPS, equipment)
    parts = _in_depth_order(scene.depth)
    name = escape(title or "Exercise picture")
    if animate:
        width = WIDTH
        how = "The figure moves from the start position to the end position and back."
        seq, key_times = _timeline(scene.frames)
        content = "".join(_prop(p, 0) for p in scene.props)
        content += _figure(parts, seq, 0, key_times, "moving")
        content += _figure(parts, scene.frames[-1:], 0, cls="still")
    else:
        width = 2 * WIDTH
        how = "Left: the start position. Right: the end position."
        content = ""
        for dx, frame in ((0, scene.frames[0]), (WIDTH, scene.frames[-1])):
            content += "".join(_prop(p, dx) for p in scene.props) + _figure(parts, [frame], dx)
    desc = escape(f"{illustration.caption} {how}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" '
        f'width="{2 * width}" height="{2 * HEIGHT}" role="img">'
        f"<title>{name}</title><desc>{desc}</desc>{_STYLE if animate else ''}{content}</svg>"
    )
