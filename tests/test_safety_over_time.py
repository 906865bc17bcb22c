"""The safety rules that move with time, and the program-quality rules, as invariants over
generated profiles, checked in every week of the plan (PRODUCT.md safety rules; issue 10).

Each check restates its rule from the catalog's movement attributes and the profile's own
numbers, week by week, without calling the planner's rule matching.
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings

from psoas.core.content.loader import catalog
from psoas.core.planning.checks import entry_work
from tests.strategies import any_block

SAFETY = settings.get_profile("safety")
cat = catalog()
HIP_FLEXORS = {"iliopsoas", "rectus_femoris"}
THA = ("hip_replacement_posterior", "hip_replacement_lateral", "hip_replacement_anterior")


def _weeks(plan):
    for week in plan["weeks"]:
        yield week["week"], [e for s in week["sessions"] for e in s["exercises"]]


def _ok(case):
    """The case's plan (any block), or None when it refers."""
    plan, profile = case.plan, case.profile
    if plan["status"] == "refer":
        # Only a real red flag, or nothing being safe at all, may stop a plan.
        ids = {r["id"] for r in plan["referral"]["reasons"]}
        assert ids == {"no_safe_program"} or profile.red_flags or (profile.age or 18) < 18
        return None
    return plan


def _tha_active(profile, cond, week):
    if cond not in profile.conditions:
        return False
    since = profile.hip_replacement_weeks
    return since is None or since + week - 1 < 12


@settings(SAFETY)
@given(case=any_block())
def test_pregnancy_moves_on_with_the_plan(case):
    profile, plan = case.profile, _ok(case)
    if plan is None or profile.pregnancy_weeks is None:
        return
    for week, exercises in _weeks(plan):
        gestation = profile.pregnancy_weeks + week - 1
        for e in exercises:
            ex = cat.exercises[e["id"]]
            assert ex.movement.position != "prone" and ex.kind != "release", e["id"]
            assert ex.movement.effort != "hard", e["id"]
            if gestation >= 13:
                assert ex.movement.position != "supine", (week, gestation, e["id"])


@settings(SAFETY)
@given(case=any_block())
def test_under_six_weeks_after_birth_is_gentle_only(case):
    profile, plan = case.profile, _ok(case)
    if plan is None or profile.postpartum_weeks is None:
        return
    for week, exercises in _weeks(plan):
        if profile.postpartum_weeks + week - 1 >= 6:
            continue
        for e in exercises:
            ex = cat.exercises[e["id"]]
            assert ex.movement.effort == "light", (week, e["id"])
            assert ex.kind != "release", (week, e["id"])
            assert not (ex.kind == "strength" and HIP_FLEXORS & set(ex.targets)), (week, e["id"])
            assert "ankle_weights" not in e["equipment"]


@settings(SAFETY)
@given(case=any_block())
def test_an_acute_injury_is_neither_stretched_nor_loaded(case):
    profile, plan = case.profile, _ok(case)
    if plan is None or "acute_injury" not in profile.conditions:
        return
    text = " ".join(plan["classification_why"])
    if profile.assessment and profile.assessment.thomas_test:
        assert "Thomas test" not in text or "not used" in text or "not done" in text
    assert any(c["id"] == "condition_acute_injury" for c in plan["cautions"])
    for week, exercises in _weeks(plan):
        for e in exercises:
            ex = cat.exercises[e["id"]]
            assert ex.kind not in ("stretch", "release"), (week, e["id"])
            loaded = HIP_FLEXORS | {"adductors"}
            assert not (ex.kind == "strength" and loaded & set(ex.targets)), (week, e["id"])


@settings(SAFETY)
@given(case=any_block())
def test_thin_bones_never_roll_back_and_skip_the_thomas_test(case):
    profile, plan = case.profile, _ok(case)
    if plan is None or "osteoporosis" not in profile.conditions:
        return
    for _week, exercises in _weeks(plan):
        for e in exercises:
            assert not cat.exercises[e["id"]].movement.spinal_flexion_end_range, e["id"]
    if profile.assessment and profile.assessment.thomas_test:
        assert any("Thomas test" in r and "not" in r for r in plan["classification_why"])


@settings(SAFETY)
@given(case=any_block())
def test_older_or_unsteady_people_get_supported_variants(case):
    profile, plan = case.profile, _ok(case)
    if plan is None:
        return
    older = profile.age is not None and profile.age >= 65
    poor = profile.balance == "poor"
    unknown = profile.balance is None
    support = (older and unknown) or poor or "osteoporosis" in profile.conditions
    for week, exercises in _weeks(plan):
        for e in exercises:
            m = cat.exercises[e["id"]].movement
            if support:
                assert not (m.needs_balance or m.hard_transition), (week, e["id"])
            if poor:
                assert not (m.on_floor or m.knee_on_ground), (week, e["id"])


@settings(SAFETY)
@given(case=any_block())
def test_hip_replacement_precautions_hold_each_week_they_apply(case):
    profile, plan = case.profile, _ok(case)
    if plan is None or not any(c in profile.conditions for c in THA):
        return
    for week, exercises in _weeks(plan):
        back = any(
            _tha_active(profile, c, week)
            for c in ("hip_replacement_posterior", "hip_replacement_lateral")
        )
        side = _tha_active(profile, "hip_replacement_lateral", week)
        front = _tha_active(profile, "hip_replacement_anterior", week)
        for e in exercises:
            m = cat.exercises[e["id"]].movement
            if back:
                assert not (
                    m.hip_flexion_past_90
                    or m.hip_adduction_past_midline
                    or m.hip_internal_rotation
                    or m.on_floor
                    or m.knee_on_ground
                ), (week, e["id"])
                if m.hip_flexion_to_90:
                    assert "halfway" in e["why"], (week, e["id"])
            if side:
                assert not m.hip_abduction_loaded, (week, e["id"])
            if front:
                assert not (m.hip_extension_past_neutral or m.position == "prone"), (week, e["id"])
            if back or side or front:
                assert "ankle_weights" not in e["equipment"]
                assert "Ankle weights come" not in e["why"]


@settings(SAFETY)
@given(case=any_block())
def test_no_two_exercises_of_a_family_in_a_session(case):
    plan = _ok(case)
    if plan is None:
        return
    for week in plan["weeks"]:
        for s in week["sessions"]:
            families = [cat.exercises[e["id"]].family for e in s["exercises"]]
            assert len(families) == len(set(families)), (week["week"], families)
            for e in s["exercises"]:
                assert cat.exercises[e["id"]].library_note is None, e["id"]


@settings(SAFETY)
@given(case=any_block())
def test_strength_keeps_its_place_in_every_week(case):
    """A program that has a strength exercise has one every week, in its main session."""
    plan = _ok(case)
    if plan is None:
        return
    has = [any(e["kind"] == "strength" for e in exs) for _w, exs in _weeks(plan)]
    if any(has):
        for week in plan["weeks"]:
            main = week["sessions"][0]["exercises"]
            assert any(e["kind"] == "strength" for e in main), week["week"]


@settings(SAFETY)
@given(case=any_block())
def test_weekly_load_grows_one_thing_at_a_time_within_the_bound(case):
    plan = _ok(case)
    if plan is None:
        return
    runs = defaultdict(dict)  # slot -> week -> entry
    reached = case.carry.reached if case.carry else {}
    for week, exercises in _weeks(plan):
        for e in exercises:
            runs[e["slot"]][week] = e
            if "ankle_weights" in e["equipment"]:
                # weights never come by the calendar: only the weight a later block keeps
                r = reached.get(e["slot"])
                assert r is not None and r.weighted and r.exercise_id == e["id"], e
    for entries in runs.values():
        for week, e in entries.items():
            prev = entries.get(week - 1)
            if prev is None or prev["id"] != e["id"]:
                continue
            assert entry_work(e, cat) <= entry_work(prev, cat) * 1.2 + 1e-9, (prev, e)
            changed = [k for k in ("sets", "reps", "hold_s") if e[k] != prev[k]]
            if e["reps"] is not None:
                # a set added with fewer reps is one step; otherwise one thing changes
                assert len(changed) <= 1 or changed == ["sets", "reps"], changed


@settings(SAFETY)
@given(case=any_block())
def test_one_more_set_only_on_the_side_that_tested_worse(case):
    profile, plan = case.profile, _ok(case)
    if plan is None:
        return
    a = profile.assessment
    thomas = a.thomas_test if a else None
    tight_sides = {s for s in ("left", "right") if thomas and getattr(thomas, s) == "positive"}
    for _week, exercises in _weeks(plan):
        for e in exercises:
            side = e["focus_side"]
            if side is None:
                continue
            ex = cat.exercises[e["id"]]
            assert ex.dosing.sides == "each" and HIP_FLEXORS & set(ex.targets), e["id"]
            assert e["sets"] + 1 <= ex.dosing.sets.max, e
            if ex.kind == "stretch":
                assert tight_sides == {side}, (tight_sides, side)
            else:
                hold = a.hip_flexor_hold_s
                other = "right" if side == "left" else "left"
                assert min(getattr(hold, side), 30) < min(getattr(hold, other), 30)
