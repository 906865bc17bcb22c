"""The end of a block in the core: the review's choices and the next block's doses, as
invariants over generated records (issue 16 item 1). The safety rules themselves run over
plans in every block in test_safety_invariants.py and test_safety_over_time.py."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from psoas.core.content.loader import catalog
from psoas.core.planning.blocks import Measures, profile_for_block, review
from psoas.core.planning.planner import _dose
from psoas.core.planning.progression import start_rung
from psoas.core.player.timeline import LEVEL_CHANGE_S, exercise_seconds
from psoas.core.profile import DEFAULT_MINUTES
from tests.strategies import any_block

SAFETY = settings.get_profile("safety")
cat = catalog()
SIDE = st.sampled_from(["negative", "positive"]) | st.none()
SECONDS = st.floats(0, 300, allow_nan=False) | st.none()


def measures():
    return st.builds(
        Measures,
        st.fixed_dictionaries({"left": SIDE, "right": SIDE}),
        st.fixed_dictionaries({"left": SECONDS, "right": SECONDS}),
        st.integers(0, 10) | st.none(),
        st.floats(0, 10, allow_nan=False) | st.none(),
    )


@settings(SAFETY)
@given(case=any_block())
def test_a_later_block_never_starts_below_what_was_reached_nor_above_the_ranges(case):
    if case.carry is None or case.plan["status"] != "ok":
        return
    budget = (case.profile.minutes_per_session or DEFAULT_MINUTES) * 60
    for s in case.plan["weeks"][0]["sessions"]:
        for e in s["exercises"]:
            r = case.carry.reached.get(e["slot"])
            if r is None or r.exercise_id != e["id"]:
                continue  # never done, or its harder version is not safe now
            ex = cat.exercises[e["id"]]
            d = ex.dosing
            start = start_rung(ex, r.sets, r.reps, r.hold_s)
            longest = max(exercise_seconds(_dose(start, side)) for side in (None, "left"))
            if longest + LEVEL_CHANGE_S > budget:
                continue  # that dose (with a worse side's extra set) is longer than a session
            assert d.sets.min <= e["sets"] <= d.sets.max
            assert e["sets"] >= min(r.sets, d.sets.max), (r, e)
            if r.reps is not None:
                assert d.reps.min <= e["reps"] <= d.reps.max
                assert e["reps"] >= min(r.reps, d.reps.max), (r, e)
            if r.hold_s is not None and e["hold_s"] is not None:
                assert d.hold_s.min <= e["hold_s"] <= d.hold_s.max
                assert e["hold_s"] >= min(r.hold_s, d.hold_s.max), (r, e)


@settings(SAFETY)
@given(case=any_block())
def test_a_maintain_block_keeps_each_dose_and_only_the_kept_exercises(case):
    if case.carry is None or case.carry.kind != "maintain" or case.plan["status"] != "ok":
        return
    doses = defaultdict(set)
    for w in case.plan["weeks"]:
        for s in w["sessions"]:
            for e in s["exercises"]:
                doses[e["id"]].add((e["sets"], e["reps"], e["hold_s"]))
                swapped_in = {x["to"] for x in case.plan["substitutions"]}
                assert e["slot"] in case.carry.keep or e["slot"] in swapped_in, e
    assert all(len(d) == 1 for d in doses.values()), doses
    assert case.plan["frequency"]["days_per_week"] in (2, 3)


@settings(SAFETY)
@given(before=measures(), after=measures(), can_maintain=st.booleans())
def test_the_review_always_offers_a_clinician_and_suggests_one_open_choice(
    before, after, can_maintain
):
    r = review(before, after, can_maintain=can_maintain)
    chosen = [o for o in r.options if o.recommended]
    assert len(chosen) == 1 and chosen[0].available
    assert r.option("see_clinician").available
    assert r.option("maintain").available == can_maintain
    pain_up = (
        before.pain is not None and after.pain is not None and after.pain - before.pain >= 2
    ) or (after.pain is not None and after.pain >= 8)
    assert r.option("progress").available == (not pain_up)
    if r.improved is False:
        assert chosen[0].choice == "see_clinician"
    for o in r.options:
        assert o.why.strip()


def test_no_change_in_pain_or_activity_suggests_a_clinician():
    before = Measures({"left": "positive"}, {}, 5, 4.0)
    after = Measures({"left": "positive"}, {}, 5, 4.5)
    r = review(before, after, can_maintain=True)
    assert r.improved is False and r.option("see_clinician").recommended
    assert r.option("progress").available  # pain is not up: the person may still go on
    rows = {row.id: row for row in r.rows}
    assert rows["nprs"].verdict == "same" and rows["psfs"].verdict == "same"
    assert "2 points" in rows["nprs"].note


def test_pain_down_by_its_minimal_change_counts_as_better():
    r = review(Measures({}, {}, 6, None), Measures({}, {}, 4, None), can_maintain=True)
    assert r.improved and r.option("progress").recommended


def test_without_scores_from_the_start_nothing_is_claimed():
    r = review(Measures({}, {}, None, None), Measures({}, {}, 3, 5.0), can_maintain=False)
    assert r.improved is None and r.option("progress").recommended
    assert "no scores" in r.summary


def test_time_moves_on_for_a_pregnancy_a_birth_and_a_hip_replacement():
    after = Measures({"left": "negative", "right": None}, {"left": 20.0, "right": None}, 2, None)
    data = {"schema": "psoas.profile/1", "pregnancy_weeks": 20, "pain": {"nprs": 5}}
    out = profile_for_block(data, 7, after)
    assert out["pregnancy_weeks"] == 27 and out["pain"] == {"nprs": 2}
    assert out["assessment"] == {
        "thomas_test": {"left": "negative"},
        "hip_flexor_hold_s": {"left": 20.0},
    }
    assert "postpartum_weeks" not in profile_for_block(
        {"schema": "psoas.profile/1", "postpartum_weeks": 100}, 6, after
    )
    hip = {
        "schema": "psoas.profile/1",
        "conditions": ["hip_replacement_anterior"],
        "hip_replacement_weeks": 8,
    }
    assert profile_for_block(hip, 6, after)["hip_replacement_weeks"] == 14


def test_a_pregnancy_past_its_term_asks_for_new_answers_first():
    import pytest

    from psoas.core.planning.blocks import BlockError

    with pytest.raises(BlockError) as err:
        profile_for_block(
            {"schema": "psoas.profile/1", "pregnancy_weeks": 38},
            6,
            Measures({}, {}, None, None),
        )
    assert err.value.field == "pregnancy_weeks" and "update your answers" in str(err.value)
