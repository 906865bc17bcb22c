"""Hypothesis strategies for profiles: every field, every id, every edge the contract allows."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from psoas.core.content.loader import catalog
from psoas.core.content.models import Equipment
from psoas.core.profile import ACTIVITIES, MAX_MINUTES, MIN_MINUTES, parse_profile

_cat = catalog()
RED_FLAGS = [f.id for f in _cat.screening.red_flags]
CONDITIONS = list(_cat.conditions)
LIMITS = list(_cat.limits)
EQUIPMENT = list(Equipment.__args__)  # type: ignore[attr-defined]


def _sub(items: list[str], max_size: int | None = None) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(items), unique=True, max_size=max_size or len(items))


@st.composite
def profile_dicts(draw: Any, *, red_flags: bool | None = False) -> dict[str, Any]:
    """A valid profile as JSON data. `red_flags`: False none, True at least one, None any."""
    d: dict[str, Any] = {"schema": "psoas.profile/1"}
    if draw(st.booleans()):
        d["age"] = draw(st.integers(18, 95) if red_flags is False else st.integers(0, 120))
    stage = draw(st.sampled_from(["none", "pregnant", "postpartum"]))
    # Weeks near the thresholds (13 of pregnancy, 6 after a birth) are drawn often, so
    # plans that cross them inside their six weeks are common.
    if stage == "pregnant":
        d["pregnancy_weeks"] = draw(st.integers(7, 14) | st.integers(0, 42))
    elif stage == "postpartum":
        d["postpartum_weeks"] = draw(st.integers(0, 7) | st.integers(0, 104))
    if red_flags is True:
        d["red_flags"] = draw(_sub(RED_FLAGS, 4).filter(bool))
    elif red_flags is None:
        d["red_flags"] = draw(_sub(RED_FLAGS, 3))
    d["conditions"] = draw(_sub(CONDITIONS, 5))
    d["limits"] = draw(_sub(LIMITS))
    d["equipment"] = draw(_sub(EQUIPMENT))
    if draw(st.booleans()):
        d["minutes_per_session"] = draw(st.integers(MIN_MINUTES, MAX_MINUTES))
    if draw(st.booleans()):
        d["sitting_hours_per_day"] = draw(st.floats(0, 24, allow_nan=False))
    d["activities"] = draw(_sub(list(ACTIVITIES), 3))
    assessment: dict[str, Any] = {}
    if draw(st.booleans()):
        side = st.sampled_from(["negative", "positive"]) | st.none()
        t = {"left": draw(side), "right": draw(side)}
        assessment["thomas_test"] = {k: v for k, v in t.items() if v is not None}
    if draw(st.booleans()):
        secs = st.floats(0, 300, allow_nan=False) | st.none()
        h = {"left": draw(secs), "right": draw(secs)}
        assessment["hip_flexor_hold_s"] = {k: v for k, v in h.items() if v is not None}
    if assessment:
        d["assessment"] = assessment
    if draw(st.booleans()):
        d["pain"] = {"nprs": draw(st.integers(0, 10))}
    balance = draw(st.sampled_from(["good", "poor", None]))
    if balance:
        d["balance"] = balance
    if any(c.startswith("hip_replacement_") for c in d["conditions"]) and draw(st.booleans()):
        d["hip_replacement_weeks"] = draw(st.integers(0, 20))
    return d


def profiles(**kw: Any) -> st.SearchStrategy[Any]:
    return profile_dicts(**kw).map(parse_profile)
