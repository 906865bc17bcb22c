"""Change against the baseline, and whether it is big enough to matter.

A change "reaches" the questionnaire's minimal change when it is at least `points` in
either direction, or, for an improvement, at least `percent` of the baseline. The percent
figure is an improvement threshold in the sources (Ostelo 2008: "30 % improvement"); used
for a rise it would flag a move from 1 to 2 as a doubling, so rises count by points only.
The sentence names the figure, so a person sees why a change counts or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from psoas.core.content.questionnaires import MinimalChange, Questionnaire
from psoas.core.scoring.score import Score

EPSILON = 1e-9  # means of integers are not exact in binary; 2.0000000001 is 2


@dataclass(frozen=True)
class Change:
    points: float  # current minus baseline, in the scale's units
    percent: float | None  # the same as a share of the baseline; None when baseline is 0
    direction: Literal["better", "worse", "same"]
    reaches_minimal_change: bool  # in either direction
    improved: bool  # reaches the minimal change, in the better direction
    items_improved: tuple[str, ...]  # items that on their own passed `item_points`
    message: str


def change(q: Questionnaire, baseline: Score, current: Score) -> Change:
    """Compare two complete scores of `q`: the baseline and the current one."""
    for name, s in (("baseline", baseline), ("current", current)):
        if s.questionnaire_id != q.id:
            raise ValueError(f"{name} score is for {s.questionnaire_id}, not {q.id}")
        if s.value is None:
            raise ValueError(f"{name} score is incomplete: {s.reason}")
    delta = current.value - baseline.value  # type: ignore[operator]
    percent = delta / baseline.value * 100 if baseline.value else None
    sign = 1 if q.direction == "higher_is_better" else -1
    gain = sign * delta  # positive is better
    direction = "same" if abs(delta) < EPSILON else "better" if gain > 0 else "worse"
    mc = q.minimal_change
    reaches = mc is not None and _reaches(mc, delta, None if percent is None else sign * percent)
    items_improved: tuple[str, ...] = ()
    if mc is not None and mc.item_points is not None:
        items_improved = tuple(
            i
            for i, v in current.items.items()
            if i in baseline.items and sign * (v - baseline.items[i]) >= mc.item_points - EPSILON
        )
    return Change(
        points=delta,
        percent=percent,
        direction=direction,
        reaches_minimal_change=reaches,
        improved=reaches and direction == "better",
        items_improved=items_improved,
        message=_message(q, delta),
    )


def _reaches(mc: MinimalChange, delta: float, gain_percent: float | None) -> bool:
    if mc.points is not None and abs(delta) >= mc.points - EPSILON:
        return True
    return (
        mc.percent is not None and gain_percent is not None and gain_percent >= mc.percent - EPSILON
    )


def _num(x: float) -> str:
    return f"{round(abs(x), 1):g}"


def _points(x: float) -> str:
    return f"{_num(x)} point" + ("" if _num(x) == "1" else "s")


def _message(q: Questionnaire, delta: float) -> str:
    what = f"Your {q.score_name}"
    if abs(delta) < EPSILON:
        first = f"{what} is the same as at the start."
    else:
        first = (
            f"{what} is {_points(delta)} {'higher' if delta > 0 else 'lower'} than at the start."
        )
    mc = q.minimal_change
    if mc is None:
        return first
    sizes = []
    if mc.points is not None:
        sizes.append(f"{_points(mc.points)} or more")
    if mc.percent is not None:
        sizes.append(f"{_num(mc.percent)} % or more")
    size = ", or of ".join(sizes) + ("," if len(sizes) > 1 else "")
    meaning = (
        "is one people notice" if mc.kind == "mcid" else "is more than day-to-day ups and downs"
    )
    return f"{first} A change of {size} {meaning}."
