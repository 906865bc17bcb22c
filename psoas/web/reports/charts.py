"""The report's charts as inline SVG, so the PDF keeps them as vector paths and text:
sharp when printed or zoomed, searchable, and a few kilobytes even for three years.

Pure functions from numbers to SVG markup; every piece of text goes through `escape`.
Coordinates are in SVG user units; the template sizes the chart to the page width.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

W = 680  # viewBox width of both charts; heights differ: pain needs more room than bars
PAIN_H, BARS_H = 150, 115
LEFT, RIGHT, TOP, BOTTOM = 42, 10, 12, 24  # plot margins, room for the axis labels
GRID, MUTED = "#d5dde3", "#5b6b78"
LINE, BAND, BASE, BAR = "#1f6f8b", "#e1efe6", "#8a5a00", "#4f8fb0"
FONT = 'font-family="DejaVu Sans" font-size="10"'
MAX_DOTS = 40  # above this many points the line alone reads better than dots
MAX_LABELS = 16  # weeks whose bars have room for "3 of 7" above them


def _svg(body: list[str], label: str, h: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {h}" role="img" '
        f'aria-label="{escape(label)}" class="chart">{"".join(body)}</svg>'
    )


def _text(x: float, y: float, s: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{MUTED}" {FONT}>'
        f"{escape(s)}</text>"
    )


def _short(d: date) -> str:
    return f"{d.day} {d:%b} {d:%y}"


def _x_labels(days: Sequence[date], xs: Sequence[float], h: int, most: int = 6) -> list[str]:
    """Up to `most` evenly spread date labels under the x axis, always the first and last."""
    if not days:
        return []
    step = max(1, -(-(len(days) - 1) // (most - 1)))
    picks = sorted({*range(0, len(days), step), len(days) - 1})
    if len(picks) > 1 and picks[-1] - picks[-2] < step / 2:
        picks.pop(-2)  # keep the last label clear of its neighbour
    return [_edge_text(xs[i], h - 8, _short(days[i])) for i in picks]


def _edge_text(x: float, y: float, s: str) -> str:
    """A label centred on x, or flush with the chart's edge where centring would cut it."""
    half = 3 * len(s)  # about half the width of the label at the chart's font size
    if x - half < 0:
        return _text(1, y, s, anchor="start")
    if x + half > W:
        return _text(W - 1, y, s, anchor="end")
    return _text(x, y, s)


def _y_grid(values: Sequence[float], to_y, fmt) -> list[str]:
    out = []
    for v in values:
        y = to_y(v)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="{GRID}" '
            'stroke-width="0.8"/>'
        )
        out.append(_text(LEFT - 5, y + 3.5, fmt(v), anchor="end"))
    return out


def _x_positions(n: int) -> list[float]:
    """Centres of n equal slots across the plot, so a lone point sits in the middle."""
    width = W - LEFT - RIGHT
    return [LEFT + width * (i + 0.5) / n for i in range(n)]


def pain_chart(
    weeks: Sequence[date],
    means: Sequence[float],
    baseline: float,
    band: tuple[float, float],
) -> str:
    """Weekly mean pain (0-10) as a line, the baseline as a dashed line, and the band of
    changes smaller than the minimal important change shaded around it."""

    def to_y(v: float) -> float:
        return TOP + (PAIN_H - TOP - BOTTOM) * (1 - v / 10)

    body = [
        f'<rect x="{LEFT}" y="{to_y(band[1]):.1f}" width="{W - LEFT - RIGHT}" '
        f'height="{to_y(band[0]) - to_y(band[1]):.1f}" fill="{BAND}"/>',
        *_y_grid((0, 2, 4, 6, 8, 10), to_y, lambda v: f"{v:g}"),
        f'<line x1="{LEFT}" y1="{to_y(baseline):.1f}" x2="{W - RIGHT}" '
        f'y2="{to_y(baseline):.1f}" stroke="{BASE}" stroke-width="1.4" '
        'stroke-dasharray="6 4"/>',
    ]
    xs = _x_positions(len(means))
    points = " ".join(f"{x:.1f},{to_y(m):.1f}" for x, m in zip(xs, means, strict=True))
    if len(means) > 1:
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="2" '
            'stroke-linejoin="round"/>'
        )
    if len(means) <= MAX_DOTS:
        body += [
            f'<circle cx="{x:.1f}" cy="{to_y(m):.1f}" r="3" fill="{LINE}"/>'
            for x, m in zip(xs, means, strict=True)
        ]
    body += _x_labels(weeks, xs, PAIN_H)
    return _svg(body, f"Weekly average pain, baseline {baseline:g}", PAIN_H)


def adherence_chart(weeks: Sequence[date], done: Sequence[int], scheduled: Sequence[int]) -> str:
    """Share of planned sessions done, one bar per week, 0 to 100 %; up to `MAX_LABELS`
    weeks, each bar has its "done of planned" figures above it."""

    def to_y(v: float) -> float:  # the top margin is twice as deep: room for the figures
        return 2 * TOP + (BARS_H - 2 * TOP - BOTTOM) * (1 - v)

    xs = _x_positions(len(done))
    slot = (W - LEFT - RIGHT) / max(1, len(done))
    bar = min(28.0, slot * 0.7) if slot > 8 else slot  # dense weeks: bars touch, no moiré
    body = _y_grid((0, 0.5, 1), to_y, lambda v: f"{round(v * 100)} %")
    for x, d, s in zip(xs, done, scheduled, strict=True):
        top = to_y(d / s)
        body.append(
            f'<rect x="{x - bar / 2:.1f}" y="{top:.1f}" width="{bar:.1f}" '
            f'height="{to_y(0) - top:.1f}" fill="{BAR}"/>'
        )
        if len(done) <= MAX_LABELS:
            body.append(_text(x, top - 4, f"{d} of {s}"))
    body += _x_labels(weeks, xs, BARS_H)
    return _svg(body, "Share of planned sessions done each week", BARS_H)
