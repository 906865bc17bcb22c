"""Hypothesis strategies for profiles (every field, every id, every edge the contract
allows) and for plans in any block, the first or one after a re-test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from psoas.core.content.loader import catalog
from psoas.core.content.models import Equipment
from psoas.core.planning.autoregulation import slot_entry, slots
from psoas.core.planning.blocks import BlockError, Measures, keep_by_default, next_block
from psoas.core.planning.carry import Carry, Reached
from psoas.core.planning.planner import build_plan
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


@dataclass(frozen=True)
class Case:
    """A profile and its plan in some block: the first (carry None) or a later one, made
    from a first block's doses reached as the block's end records them."""

    profile: Any
    plan: dict[str, Any]
    carry: Carry | None = None


SIDES_RESULT = st.sampled_from(["negative", "positive"]) | st.none()


@st.composite
def reached_doses(draw: Any, plan: dict[str, Any]) -> dict[str, Reached]:
    """Where each slot of a first block got to: a dose of some week of it (often the last),
    not done at all, or now and then more than the exercise's ranges allow (a plan from
    older content): the next block must clamp that."""
    slot_of = slots(plan)
    out = {}
    for slot in dict.fromkeys(slot_of.values()):
        if not draw(st.booleans()) and draw(st.booleans()):
            continue  # never done
        week = draw(st.sampled_from([6, 6, 5, 4, 3, 2, 1]))
        e = slot_entry(plan, slot_of, week, 0, slot)
        if e is None:
            continue
        sets, reps, hold = e["sets"], e["reps"], e["hold_s"]
        if draw(st.integers(0, 9)) == 0:
            sets, reps = sets + 3, None if reps is None else reps + 20
            hold = None if hold is None else hold + 90
        weights = "ankle_weights" in _cat.exercises[e["id"]].optional_equipment
        out[slot] = Reached(
            e["id"],
            sets,
            reps,
            hold,
            weighted=weights and draw(st.booleans()),
            helped=draw(st.booleans()),
        )
    return out


@st.composite
def any_block(draw: Any) -> Case:
    """A profile with no red flag and its plan in its first block or a later one."""
    data = draw(profile_dicts())
    profile = parse_profile(data)
    first = build_plan(profile)
    if first["status"] != "ok" or not draw(st.booleans()):
        return Case(profile, first)
    reached = draw(reached_doses(first))
    choice = draw(st.sampled_from(["progress", "maintain"]))
    if choice == "maintain" and not reached:
        choice = "progress"
    keep = None
    if choice == "maintain" and draw(st.booleans()):
        keep = draw(st.lists(st.sampled_from(sorted(reached)), min_size=1, unique=True))
    after = Measures(
        {"left": draw(SIDES_RESULT), "right": draw(SIDES_RESULT)},
        {s: draw(st.floats(0, 300, allow_nan=False) | st.none()) for s in ("left", "right")},
        draw(st.integers(0, 10) | st.none()),
        None,
    )
    weeks_on = draw(st.integers(6, 20))
    try:
        data2, plan = next_block(
            data, weeks_on, after, choice, reached, 2, first["classification"], keep
        )
    except BlockError:  # a pregnancy past its term: the person updates their answers first
        return Case(profile, first)
    kept = frozenset(keep_by_default(reached) if keep is None else keep)
    carry = Carry(
        choice, 2, first["classification"], reached, kept if choice == "maintain" else frozenset()
    )
    return Case(parse_profile(data2), plan, carry)
