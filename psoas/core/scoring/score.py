"""Score one questionnaire response: answers by item id in, a `Score` out.

The methods follow research/clinical.md 6 exactly. A missing or `None` answer is a skipped
item; a score with too few answered items is incomplete (no value), because a number made
from a few answers would look as sure as a full one. A wrong answer is a `ValueError` that
names the item and what it takes, so a shell can show it as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from psoas.core.content.questionnaires import Choice, FreeText, IntegerScale, Item, Questionnaire

# STarT Back (Keele): items 5-9 are the distress subscale; subscale 4+ is high risk,
# total 3 or less is low risk, anything else medium (research/clinical.md 6.5).
STARTBACK_SUBSCALE = slice(4, 9)
STARTBACK_HIGH_SUBSCALE = 4
STARTBACK_LOW_TOTAL = 3


@dataclass(frozen=True)
class Score:
    questionnaire_id: str
    value: float | None  # None when incomplete
    band: str | None  # interpretation band or STarT Back risk group
    answered: int  # scored items answered (ticked or not, for count_ticked)
    needed: int  # answered items a complete score needs
    reason: str  # why the score is incomplete; "" when complete
    items: Mapping[str, int] = field(default_factory=dict)  # score of each answered item
    labels: Mapping[str, str] = field(default_factory=dict)  # PSFS: rated item id -> name
    subscale: int | None = None  # STarT Back distress subscale (items 5-9)

    @property
    def complete(self) -> bool:
        return self.value is not None


def score(q: Questionnaire, answers: Mapping[str, Any]) -> Score:
    """Score `answers` (item id -> answer) for questionnaire `q`."""
    for item_id in answers:
        if q.item(item_id) is None:
            known = ", ".join(i.id for i in q.items)
            raise ValueError(f"{q.id}: unknown item '{item_id}'; items are {known}")
    texts = {
        i.id: text
        for i in q.items
        if isinstance(i.answer, FreeText) and (text := _text(i, answers.get(i.id)))
    }
    items: dict[str, int] = {}
    labels: dict[str, str] = {}
    for i in q.scored_items:
        if answers.get(i.id) is None:
            continue
        items[i.id] = _item_score(i, answers[i.id])
        if i.label_item is not None:
            if i.label_item not in texts:
                raise ValueError(f"item '{i.id}' is rated but '{i.label_item}' names nothing")
            labels[i.id] = texts[i.label_item]
    answered, needed = len(items), q.needed()
    if answered < needed:
        reason = (
            f"{answered} of {len(q.scored_items)} items answered; "
            f"at least {needed} are needed for a score."
        )
        return Score(q.id, None, None, answered, needed, reason, items, labels)
    value, band, subscale = _value(q, items)
    return Score(q.id, value, band, answered, needed, "", items, labels, subscale)


def _text(i: Item, value: Any) -> str:
    """The written answer without surrounding blanks; blank or `None` is a skipped item."""
    limit = i.answer.max_length  # type: ignore[union-attr]
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > limit:
        raise ValueError(f"item '{i.id}' takes text of up to {limit} characters, not {value!r}")
    return value.strip()


def _item_score(i: Item, value: Any) -> int:
    a = i.answer
    if isinstance(a, IntegerScale):
        ok = isinstance(value, int) and not isinstance(value, bool) and a.min <= value <= a.max
        if not ok:
            raise ValueError(
                f"item '{i.id}' takes a whole number from {a.min} to {a.max}, not {value!r}"
            )
        return value
    if isinstance(a, Choice):
        scores = {o.id: o.score for o in a.options}
        if not isinstance(value, str) or value not in scores:
            raise ValueError(f"item '{i.id}' takes one of {', '.join(scores)}, not {value!r}")
        return scores[value]
    if not isinstance(value, bool):
        raise ValueError(f"item '{i.id}' is ticked (true) or not (false), not {value!r}")
    return int(value)


def _value(q: Questionnaire, items: dict[str, int]) -> tuple[float, str | None, int | None]:
    method, total = q.scoring.method, sum(items.values())
    if method == "startback":
        sub = sum(items[i.id] for i in q.scored_items[STARTBACK_SUBSCALE])
        if sub >= STARTBACK_HIGH_SUBSCALE:
            group = "high risk"
        elif total <= STARTBACK_LOW_TOTAL:
            group = "low risk"
        else:
            group = "medium risk"
        return float(total), group, sub
    if method == "mean":
        value = total / len(items)
    elif method == "percent_of_max":
        value = total / sum(q.item(i).highest for i in items) * 100  # type: ignore[union-attr]
    else:  # single and count_ticked: the total is the score
        value = float(total)
    band = next((b.label for b in q.bands if value <= b.up_to), None)
    return value, band, None
