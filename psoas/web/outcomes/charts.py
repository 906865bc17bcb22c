"""The progress page's charts as inline SVG, drawn on the server: no script, no library.

Each chart is sized for a phone (a viewBox about as wide as a 375 px screen's column, so
its text stays readable there) and scales up on a laptop. Each is an image to a screen
reader (`role="img"`, a `<title>` and a `<desc>` that say what it shows in words); the page
puts a small table or a sentence beside it for the same figures. Nothing depends on colour
alone: the baseline is dashed, the minimal important change dotted, check-ins are circles
and sessions squares, and each calendar state has its own symbol.

Pure functions from plain values to markup; every piece of text goes through `escape`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

W = 340  # viewBox width: about the width of the page's column on a 375 px phone
INK, MUTED, GRID = "#1b2421", "#4a5652", "#d5ddda"
PRIMARY, SECOND, BASE, GOAL = "#1f6f66", "#7a4b00", "#6b3fa0", "#1e6b3a"
MISSED, SOFT, REST = "#a3231a", "#e2f0ed", "#eef1f0"
FONT = 'font-family="system-ui, sans-serif"'

_ids = itertools.count(1)


def _uid(prefix: str) -> str:
    """Ids unique within a page, for aria-labelledby (two charts on one page must differ)."""
    return f"{prefix}-{next(_ids)}"


def _svg(kind: str, title: str, desc: str, h: float, body: list[str]) -> str:
    uid = _uid(kind)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {h:.0f}" role="img" '
        f'class="chart chart--{kind}" aria-labelledby="{uid}-t {uid}-d" focusable="false">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _text(x: float, y: float, s: str, anchor: str = "middle", size: int = 12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" {FONT} '
        f'fill="{MUTED}">{escape(s)}</text>'
    )


def short_day(d: date) -> str:
    return f"{d.day} {d:%b}"


# --- scores over time: pain (lower is better) and activity (higher is better) -----------


@dataclass(frozen=True)
class Point:
    day: date
    value: float
    kind: str  # "checkin" | "session" | "response"


LINE_TOP, LINE_BOTTOM, LINE_LEFT, LINE_RIGHT = 12, 30, 26, 10
LINE_H = 210


def _marker(kind: str, x: float, y: float) -> str:
    if kind == "session":  # a square, so the two series differ by shape as well as colour
        return (
            f'<rect class="point point--session" x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" '
            f'height="8" fill="#fff" stroke="{SECOND}" stroke-width="2"/>'
        )
    return f'<circle class="point point--{kind}" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{PRIMARY}"/>'


def score_chart(
    points: Sequence[Point],
    *,
    baseline: float,
    minimal_change: float,
    higher_is_better: bool,
    first: date,
    last: date,
    title: str,
    desc: str,
    top: float = 10,
) -> str:
    """Scores (0 to `top`) by day from `first` to `last`: a line through the check-ins or
    responses, squares for session pain, the baseline dashed and the minimal important
    change (the baseline moved by `minimal_change` the good way) dotted, both labelled."""
    plot_w = W - LINE_LEFT - LINE_RIGHT
    span = max(1, (last - first).days)

    def to_x(d: date) -> float:
        if first == last:
            return LINE_LEFT + plot_w / 2
        return LINE_LEFT + plot_w * (d - first).days / span

    def to_y(v: float) -> float:
        return LINE_TOP + (LINE_H - LINE_TOP - LINE_BOTTOM) * (1 - v / top)

    body = []
    for v in range(0, int(top) + 1, 2):
        y = to_y(v)
        body.append(
            f'<line x1="{LINE_LEFT}" y1="{y:.1f}" x2="{W - LINE_RIGHT}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(LINE_LEFT - 5, y + 4, f"{v}", anchor="end"))
    goal = baseline + minimal_change if higher_is_better else baseline - minimal_change
    goal = max(0.0, min(top, goal))
    by, gy = to_y(baseline), to_y(goal)
    # The band between the baseline and the minimal important change: smaller changes
    # than this may be chance.
    body.append(
        f'<rect class="mcid-band" x="{LINE_LEFT}" y="{min(by, gy):.1f}" width="{plot_w}" '
        f'height="{abs(gy - by):.1f}" fill="{SOFT}" opacity="0.7"/>'
    )
    body.append(
        f'<line class="baseline" data-value="{baseline:g}" x1="{LINE_LEFT}" y1="{by:.1f}" '
        f'x2="{W - LINE_RIGHT}" y2="{by:.1f}" stroke="{BASE}" stroke-width="2" '
        'stroke-dasharray="7 4"/>'
    )
    body.append(
        f'<line class="mcid" data-value="{goal:g}" x1="{LINE_LEFT}" y1="{gy:.1f}" '
        f'x2="{W - LINE_RIGHT}" y2="{gy:.1f}" stroke="{GOAL}" stroke-width="2" '
        'stroke-dasharray="2 3"/>'
    )
    # Labels sit on the side away from each other, inside the plot.
    above = -5 if (by <= gy) else 13
    body.append(
        _text(W - LINE_RIGHT - 2, by + above, f"start {round(baseline, 1):g}", anchor="end")
    )
    body.append(
        _text(
            W - LINE_RIGHT - 2,
            gy + (13 if above < 0 else -5),
            f"{minimal_change:g} points better",
            anchor="end",
        )
    )
    main = [p for p in points if p.kind != "session"]
    if len(main) > 1:
        coords = " ".join(f"{to_x(p.day):.1f},{to_y(p.value):.1f}" for p in main)
        body.append(
            f'<polyline points="{coords}" fill="none" stroke="{PRIMARY}" stroke-width="2" '
            'stroke-linejoin="round"/>'
        )
    body += [_marker(p.kind, to_x(p.day), to_y(p.value)) for p in points]
    body.append(_text(LINE_LEFT, LINE_H - 8, short_day(first), anchor="start"))
    if last != first:
        body.append(_text(W - LINE_RIGHT, LINE_H - 8, short_day(last), anchor="end"))
    return _svg("score", title, desc, LINE_H, body)


# --- the adherence calendar -------------------------------------------------------------

STATES = {
    "done": "Done",
    "partly": "Partly done",
    "missed": "Missed",
    "planned": "Planned",
    "rest": "Rest day",
}
CELL, GAP, HEAD, LABEL = 36, 4, 22, 46


def symbol(state: str, x: float, y: float, size: float = CELL) -> str:
    """One calendar state: a shape and a mark, so the states differ without colour."""
    r = f'x="{x:.1f}" y="{y:.1f}" width="{size:.1f}" height="{size:.1f}" rx="{size / 6:.1f}"'
    c = size / 2
    cx, cy = x + c, y + c
    k = size / 36  # marks are drawn for a 36-unit cell and scaled
    if state == "done":
        return (
            f'<rect {r} fill="{PRIMARY}"/>'
            f'<path d="M{cx - 9 * k:.1f} {cy:.1f} l{6 * k:.1f} {6 * k:.1f} l{12 * k:.1f} '
            f'{-13 * k:.1f}" fill="none" stroke="#fff" stroke-width="{3.5 * k:.1f}" '
            'stroke-linecap="round" stroke-linejoin="round"/>'
        )
    if state == "partly":
        return (
            f'<rect {r} fill="#fff" stroke="{PRIMARY}" stroke-width="2"/>'
            f'<path d="M{x + 1:.1f} {y + size - 1:.1f} L{x + size - 1:.1f} {y + 1:.1f} '
            f'L{x + size - 1:.1f} {y + size - 1:.1f} Z" fill="{PRIMARY}"/>'
        )
    if state == "missed":
        d = 7 * k
        return (
            f'<rect {r} fill="#fff" stroke="{MISSED}" stroke-width="2"/>'
            f'<path d="M{cx - d:.1f} {cy - d:.1f} L{cx + d:.1f} {cy + d:.1f} '
            f'M{cx + d:.1f} {cy - d:.1f} L{cx - d:.1f} {cy + d:.1f}" stroke="{MISSED}" '
            f'stroke-width="{3 * k:.1f}" stroke-linecap="round"/>'
        )
    if state == "planned":
        return (
            f'<rect {r} fill="#fff" stroke="{PRIMARY}" stroke-width="2" stroke-dasharray="4 3"/>'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{5 * k:.1f}" fill="none" '
            f'stroke="{PRIMARY}" stroke-width="2"/>'
        )
    return (
        f'<rect {r} fill="{REST}"/>'
        f'<line x1="{cx - 5 * k:.1f}" y1="{cy:.1f}" x2="{cx + 5 * k:.1f}" y2="{cy:.1f}" '
        f'stroke="{MUTED}" stroke-width="2"/>'
    )


def legend_symbol(state: str) -> str:
    """A small copy of a state's symbol for the legend (decorative: the words say it)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20" width="20" height="20" '
        f'aria-hidden="true" focusable="false">{symbol(state, 1, 1, 18)}</svg>'
    )


@dataclass(frozen=True)
class Day:
    day: date
    state: str  # a key of STATES
    planned: bool
    today: bool = False


def calendar(weeks: Sequence[Sequence[Day]], title: str, desc: str) -> str:
    """Plan weeks as rows, the 7 days of each program week as columns (labelled with their
    weekday), one symbol per day; today is ringed."""
    if not weeks:
        return ""
    body = []
    for col, d in enumerate(weeks[0]):
        x = LABEL + col * (CELL + GAP) + CELL / 2
        body.append(_text(x, HEAD - 8, f"{d.day:%a}"))
    for row, week in enumerate(weeks):
        y = HEAD + row * (CELL + GAP)
        body.append(_text(LABEL - 6, y + CELL / 2 + 4, f"Wk {row + 1}", anchor="end"))
        for col, d in enumerate(week):
            x = LABEL + col * (CELL + GAP)
            label = f"{d.day:%a} {short_day(d.day)}: {STATES[d.state]}"
            ring = (
                f'<rect x="{x - 2.5:.1f}" y="{y - 2.5:.1f}" width="{CELL + 5}" '
                f'height="{CELL + 5}" rx="8" fill="none" stroke="{INK}" stroke-width="2"/>'
                if d.today
                else ""
            )
            body.append(
                f'<g class="cell cell--{d.state}" data-day="{d.day.isoformat()}" '
                f'data-state="{d.state}"{" data-planned" if d.planned else ""}>'
                f"<title>{escape(label)}</title>{symbol(d.state, x, y)}{ring}</g>"
            )
    h = HEAD + len(weeks) * (CELL + GAP)
    return _svg("calendar", title, desc, h, body)


# --- reached against plan ---------------------------------------------------------------

BAR_LEFT, BAR_RIGHT, ROW = 46, 74, 30


def reached_chart(rows: Sequence[tuple[str, float, float]], unit: str, title: str) -> str:
    """One exercise: per program week, the planned amount per set as an outlined bar and
    what was done as a filled bar inside it, with the figures at the end of the row."""
    top = max([1.0, *(max(p, d) for _, p, d in rows)])
    plot_w = W - BAR_LEFT - BAR_RIGHT
    body = []
    for i, (label, planned, done) in enumerate(rows):
        y = 4 + i * ROW
        pw, dw = plot_w * planned / top, plot_w * done / top
        body.append(_text(BAR_LEFT - 6, y + 16, label, anchor="end"))
        body.append(
            f'<rect class="planned" x="{BAR_LEFT}" y="{y + 3}" width="{pw:.1f}" height="20" '
            f'fill="#fff" stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="4 2"/>'
        )
        body.append(
            f'<rect class="done" x="{BAR_LEFT}" y="{y + 7}" width="{dw:.1f}" height="12" '
            f'fill="{PRIMARY}"/>'
        )
        body.append(_text(W - 2, y + 17, f"{done:g} of {planned:g} {unit}", anchor="end"))
    desc = "; ".join(f"{label}: {d:g} of {p:g} {unit} per set" for label, p, d in rows)
    return _svg("reached", title, desc, 8 + len(rows) * ROW, body)


# --- counts per day: a week of move breaks ----------------------------------------------

COLUMN_TOP, COLUMN_H = 18, 90  # room for the figure above the tallest column, and its height


def day_columns(days: Sequence[tuple[date, int]], unit: str, title: str) -> str:
    """One column per day with its count above it and the weekday under it: a week's
    trend at a glance (the page gives the same figures in words)."""
    top = max([1, *(n for _, n in days)])
    step = W / max(len(days), 1)
    base = COLUMN_TOP + COLUMN_H
    body = [f'<line x1="0" y1="{base}" x2="{W}" y2="{base}" stroke="{GRID}"/>']
    for i, (d, n) in enumerate(days):
        x, h = i * step + step * 0.2, COLUMN_H * n / top
        body.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{step * 0.6:.1f}" height="{h:.1f}" '
            f'fill="{PRIMARY}"/>'
        )
        body.append(_text(i * step + step / 2, base - h - 5, str(n)))
        body.append(_text(i * step + step / 2, base + 16, f"{d:%a}"))
    desc = "; ".join(f"{short_day(d)}: {n} {unit}" for d, n in days)
    return _svg("days", title, desc, base + 24, body)
