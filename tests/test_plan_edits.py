"""A clinician's edits of a plan (psoas/core/planning/edits.py) and the diff between two
versions (diff.py): each kind of edit, refusals by the safety rules, overrides with a
reason, and Hypothesis properties over generated profiles, plans and edits."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from psoas.core.content.loader import catalog
from psoas.core.plan import plan_model
from psoas.core.planning.checks import OVERRIDABLE, blocking, check_plan
from psoas.core.planning.diff import change_lines, plan_diff
from psoas.core.planning.edits import EditError, EditSet, apply_edits, parse_edits
from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.core.screening.restrictions import restrictions_for
from tests.strategies import any_block

SAFETY = settings.get_profile("safety")
cat = catalog()
HIP = "condition.hip_replacement_posterior"


def profile(**fields):
    return parse_profile({"schema": "psoas.profile/1", **fields})


def edits(*changes, reason="Reviewed at clinic.", **more):
    return parse_edits({"reason": reason, "changes": list(changes), **more})


def ids(plan, week, session=0):
    return [e["id"] for e in plan["weeks"][week - 1]["sessions"][session]["exercises"]]


def entry(plan, week, ex_id, session=0):
    return next(
        e for e in plan["weeks"][week - 1]["sessions"][session]["exercises"] if e["id"] == ex_id
    )


@pytest.fixture(scope="module")
def base():
    p = profile(equipment=["mat", "chair"], minutes_per_session=30)
    return p, build_plan(p)


def accepted(plan, e, p):
    result = apply_edits(plan, e, p, cat)
    assert result.accepted, [v.message for v in result.violations]
    plan_model().model_validate(result.plan)
    assert blocking(check_plan(result.plan, p, cat)) == []
    return result


# --- each kind of edit --------------------------------------------------------------------


def test_an_empty_edit_changes_nothing(base):
    p, plan = base
    result = accepted(plan, edits(), p)
    assert result.plan == plan and result.overrides == () and result.violations == ()
    assert plan_diff(plan, result.plan) == []


def test_swap_in_given_weeks_climbs_from_the_easy_end(base):
    p, plan = base
    before = copy.deepcopy(plan)
    result = accepted(
        plan,
        edits(
            {
                "kind": "swap",
                "exercise": "clamshell",
                "to": "standing_hip_abduction",
                "weeks": [3, 4],
            }
        ),
        p,
    )
    assert plan == before  # the input is not changed
    new = result.plan
    for week in (1, 2, 5, 6):
        assert ids(new, week) == ids(plan, week)
    for week in (3, 4):
        assert "clamshell" not in ids(new, week) and "standing_hip_abduction" in ids(new, week)
    first, second = entry(new, 3, "standing_hip_abduction"), entry(new, 4, "standing_hip_abduction")
    d = cat.exercises["standing_hip_abduction"].dosing
    assert (first["sets"], first["reps"]) == (d.sets.min, d.reps.min)
    assert second["reps"] > first["reps"]  # one rung a week
    assert first["slot"] == "standing_hip_abduction"
    assert first["clinician"] == {"reason": "Reviewed at clinic.", "overrides": []}
    assert first["why"].startswith("Your clinician chose this: Reviewed at clinic.")
    # the session is re-timed, and standing work comes before floor work
    order = ids(new, 3)
    assert order.index("standing_hip_abduction") < order.index("glute_bridge")
    assert change_lines(plan_diff(plan, new)) == [
        "Weeks 3-4: Clamshell swapped for standing hip abduction."
    ]


def test_swap_in_all_weeks_reaches_both_sessions():
    p = profile(equipment=["mat", "chair"], minutes_per_session=30, sitting_hours_per_day=8)
    plan = build_plan(p)
    e = edits(
        {
            "kind": "swap",
            "exercise": "standing_hip_flexor_stretch",
            "to": "seated_chair_hip_flexor_stretch",
        }
    )
    new = accepted(plan, e, p).plan
    for week in (1, 2, 3, 4):
        for s in (0, 1):
            assert "seated_chair_hip_flexor_stretch" in ids(new, week, s)
            assert "standing_hip_flexor_stretch" not in ids(new, week, s)
    assert ids(new, 5) == ids(plan, 5)  # weeks 5-6 hold the kneeling version instead


def test_add_climbs_or_keeps_a_given_dose(base):
    p, plan = base
    new = accepted(plan, edits({"kind": "add", "exercise": "pelvic_floor_lift"}), p).plan
    reps = [entry(new, w, "pelvic_floor_lift")["reps"] for w in range(1, 7)]
    assert reps == sorted(reps) and reps[0] == cat.exercises["pelvic_floor_lift"].dosing.reps.min
    assert reps[-1] > reps[0]
    fixed = edits({"kind": "add", "exercise": "pelvic_floor_lift", "weeks": [2], "reps": 8})
    new = accepted(plan, fixed, p).plan
    e = entry(new, 2, "pelvic_floor_lift")
    assert (e["sets"], e["reps"], e["hold_s"]) == (1, 8, 3)
    assert "Your clinician set the dose: 1 set of 8 reps" in e["why"]
    assert all("pelvic_floor_lift" not in ids(new, w) for w in (1, 3, 4, 5, 6))


def test_add_holds_a_rung_when_the_session_would_not_fit():
    p = profile(equipment=["mat", "chair"], minutes_per_session=15)
    plan = build_plan(p)
    new = accepted(plan, edits({"kind": "add", "exercise": "seated_knee_lift"}), p).plan
    assert all(s["estimated_minutes"] <= 15 for w in new["weeks"] for s in w["sessions"])
    lifts = [entry(new, w, "seated_knee_lift") for w in range(1, 7)]
    held = [w for w, e in enumerate(lifts, 1) if "Kept at last week's level" in e["why"]]
    assert held == [6]
    assert [lifts[4][k] for k in ("sets", "reps", "hold_s")] == [
        lifts[5][k] for k in ("sets", "reps", "hold_s")
    ]


def test_a_harder_version_beside_its_own_run_is_refused(base):
    """The kneeling stretch is the standing stretch's harder version in weeks 5-6 (one
    slot); swapped in for the clamshell in week 1, beside the standing stretch, the two
    would share the slot's records."""
    p, plan = base
    assert entry(plan, 5, "kneeling_hip_flexor_stretch")["slot"] == "standing_hip_flexor_stretch"
    e = edits(
        {"kind": "swap", "exercise": "clamshell", "to": "kneeling_hip_flexor_stretch", "weeks": [1]}
    )
    result = apply_edits(plan, e, p, cat)
    assert [(v.rule, v.week) for v in result.violations] == [("slot.one", 1)]


def test_remove(base):
    p, plan = base
    new = accepted(
        plan, edits({"kind": "remove", "exercise": "clamshell", "weeks": [1, 2]}), p
    ).plan
    assert "clamshell" not in ids(new, 1) + ids(new, 2) and "clamshell" in ids(new, 3)
    assert (
        new["weeks"][0]["sessions"][0]["estimated_minutes"]
        < (plan["weeks"][0]["sessions"][0]["estimated_minutes"])
    )
    assert change_lines(plan_diff(plan, new)) == ["Weeks 1-2: Clamshell removed."]


def test_remove_the_last_exercise_of_a_session_is_an_error():
    p = profile(equipment=["mat", "chair"], minutes_per_session=30, sitting_hours_per_day=8)
    plan = build_plan(p)
    e = edits({"kind": "remove", "exercise": "standing_hip_flexor_stretch", "weeks": [1]})
    with pytest.raises(EditError) as err:
        apply_edits(plan, e, p, cat)
    assert err.value.field == "changes[0].exercise" and "no exercise" in str(err.value)


def test_dose_within_the_range(base):
    p, plan = base
    e = edits({"kind": "dose", "exercise": "glute_bridge", "weeks": [1], "reps": 11})
    new = accepted(plan, e, p).plan
    got = entry(new, 1, "glute_bridge")
    assert got["reps"] == 11 and got["clinician"]["reason"] == "Reviewed at clinic."
    assert plan_diff(plan, new)[0].text == (
        "Week 1: Glute bridge: 1 set of 10 reps with a 2 s pause at the top, "
        "now 1 set of 11 reps with a 2 s pause at the top."
    )


@pytest.mark.parametrize(
    ("dose", "words"),
    [
        ({"sets": 4}, "Sets must be 1 to 3"),
        ({"reps": 20}, "reps must be 10 to 15 reps"),
        ({"hold_s": 9}, "hold must be 2 to 3 s"),
    ],
)
def test_dose_outside_the_range_is_refused_naming_the_range(base, dose, words):
    p, plan = base
    e = edits({"kind": "dose", "exercise": "glute_bridge", "weeks": [2], **dose})
    result = apply_edits(plan, e, p, cat)
    assert not result.accepted and result.plan is None
    v = [x for x in result.violations if x.rule == "dose.range"]
    assert [(x.week, x.exercise) for x in v] == [(2, "glute_bridge")]
    assert words in v[0].message


def test_dates_are_set_and_told(base):
    p, plan = base
    e = edits(start_date="2026-12-01", review_date="2027-01-12")
    new = accepted(plan, e, p).plan
    assert (new["start_date"], new["review_date"]) == ("2026-12-01", "2027-01-12")
    assert change_lines(plan_diff(plan, new)) == [
        "Start date set to 1 December 2026.",
        "Review date set to 12 January 2027.",
    ]
    moved = accepted(new, edits(review_date="2027-01-19"), p).plan
    assert change_lines(plan_diff(new, moved)) == [
        "Review date moved from 12 January 2027 to 19 January 2027."
    ]
    with pytest.raises(EditError) as err:
        apply_edits(new, edits(review_date="2026-11-30"), p, cat)
    assert err.value.field == "review_date" and "before the start" in str(err.value)


def test_a_later_start_is_checked_in_the_situation_it_reaches():
    """Made at pregnancy week 10, the plan lies on the back in weeks 1-3; started three
    weeks after the profile, week 1 is pregnancy week 13, so the start date is refused."""
    p = profile(pregnancy_weeks=10)
    plan = build_plan(p)
    given = date(2026, 11, 2)
    assert apply_edits(plan, edits(start_date="2026-11-02"), p, cat, profile_date=given).accepted
    for start, weeks in (("2026-11-09", {3}), ("2026-11-23", {1, 2, 3})):
        late = apply_edits(plan, edits(start_date=start), p, cat, profile_date=given)
        assert not late.accepted
        assert {v.rule for v in late.violations} == {"pregnancy.supine"}
        assert {v.week for v in late.violations} == weeks


def test_bad_input_names_the_field(base):
    p, plan = base
    with pytest.raises(EditError) as err:
        parse_edits({"reason": "x", "changes": []})
    assert err.value.field == "reason"
    with pytest.raises(EditError) as err:
        parse_edits({"reason": "Because.", "changes": [{"kind": "dose", "exercise": "clamshell"}]})
    assert err.value.field.startswith("changes.0") and "sets, reps or hold_s" in str(err.value)
    with pytest.raises(EditError) as err:
        parse_edits({"reason": "Because.", "changes": [{"kind": "jump", "exercise": "a"}]})
    assert err.value.field.startswith("changes.0")
    with pytest.raises(EditError) as err:
        apply_edits(plan, edits({"kind": "add", "exercise": "handstand"}), p, cat)
    assert err.value.field == "changes[0].exercise" and "not an exercise" in str(err.value)
    with pytest.raises(EditError) as err:
        apply_edits(plan, edits({"kind": "remove", "exercise": "lizard_pose"}), p, cat)
    assert err.value.field == "changes[0].exercise" and "not in the plan" in str(err.value)
    with pytest.raises(EditError) as err:
        apply_edits(plan, edits({"kind": "add", "exercise": "clamshell", "sessions": [2]}), p, cat)
    assert err.value.field == "changes[0].sessions"
    refer = build_plan(profile(red_flags=[cat.screening.red_flags[0].id]))
    with pytest.raises(EditError) as err:
        apply_edits(refer, edits({"kind": "remove", "exercise": "clamshell"}), p, cat)
    assert err.value.field == "changes"


# --- refusals and overrides ---------------------------------------------------------------


@pytest.fixture(scope="module")
def hip():
    p = profile(
        equipment=["mat", "chair"],
        minutes_per_session=30,
        conditions=["hip_replacement_posterior"],
        hip_replacement_weeks=6,
    )
    return p, build_plan(p)


ADD_KNEELING = {"kind": "add", "exercise": "kneeling_hip_flexor_stretch"}
CLEARED = "Her surgeon lifted the hip rules on 20 November."


def test_a_hip_precaution_is_refused_without_a_reason(hip):
    p, plan = hip
    result = apply_edits(plan, edits(ADD_KNEELING), p, cat)
    assert not result.accepted
    assert {v.rule for v in result.violations} == {HIP}
    assert {v.week for v in result.violations} == {1, 2, 3, 4, 5, 6}  # 6 + 6 - 1 < 12
    assert all(v.overridable for v in result.violations)


def test_an_override_with_a_reason_is_accepted_recorded_and_told(hip):
    p, plan = hip
    override = {"rule": HIP, "exercise": "kneeling_hip_flexor_stretch", "reason": CLEARED}
    result = accepted(plan, edits(ADD_KNEELING, overrides=[override]), p)
    assert [o.as_dict() for o in result.overrides] == [{**override, "weeks": [1, 2, 3, 4, 5, 6]}]
    e = entry(result.plan, 1, "kneeling_hip_flexor_stretch")
    assert e["clinician"]["overrides"] == [{"rule": HIP, "reason": CLEARED}]
    assert f"Your clinician chose this for you: {CLEARED}" in e["why"]
    v = check_plan(result.plan, p, cat)
    assert v and all(x.override == CLEARED for x in v)
    # a later version keeps the override without asking again, and logs nothing new
    later = accepted(result.plan, edits(review_date="2027-01-12"), p)
    assert later.overrides == ()
    # re-dosing the overruled exercise keeps its override
    redose = {"kind": "dose", "exercise": "kneeling_hip_flexor_stretch", "weeks": [1], "hold_s": 35}
    again = accepted(later.plan, edits(redose), p)
    assert entry(again.plan, 1, "kneeling_hip_flexor_stretch")["clinician"]["overrides"]


def test_an_override_covers_exactly_its_rule_and_exercise(hip):
    p, plan = hip
    wrong_ex = {"rule": HIP, "exercise": "lizard_pose", "reason": CLEARED}
    result = apply_edits(plan, edits(ADD_KNEELING, overrides=[wrong_ex]), p, cat)
    assert not result.accepted and [o.exercise for o in result.unused_overrides] == ["lizard_pose"]
    no_kneel = profile(**{**p.model_dump(by_alias=True), "limits": ["no_kneeling"]})
    right = {"rule": HIP, "exercise": "kneeling_hip_flexor_stretch", "reason": CLEARED}
    result = apply_edits(
        build_plan(no_kneel), edits(ADD_KNEELING, overrides=[right]), no_kneel, cat
    )
    assert not result.accepted
    assert {v.rule for v in result.violations} == {"limit.no_kneeling"}


def test_a_pregnancy_rule_cannot_be_overruled():
    p = profile(pregnancy_weeks=20, equipment=["mat"], minutes_per_session=30)
    plan = build_plan(p)
    override = {"rule": "pregnancy.supine", "exercise": "glute_bridge", "reason": "She is fine."}
    result = apply_edits(
        plan, edits({"kind": "add", "exercise": "glute_bridge"}, overrides=[override]), p, cat
    )
    assert not result.accepted
    assert {v.rule for v in result.violations} == {"pregnancy.supine"}
    assert not any(v.overridable for v in result.violations)
    assert result.unused_overrides == (
        EditSet.model_validate({"reason": "x.x", "overrides": [override]}).overrides[0],
    )


def test_a_faster_step_up_needs_a_reason(base):
    p, plan = base
    e = edits({"kind": "dose", "exercise": "clamshell", "weeks": [3], "sets": 2})
    result = apply_edits(plan, e, p, cat)
    assert {v.rule for v in result.violations} <= {
        "progression.load_step",
        "progression.one_change",
    }
    assert not result.accepted and all(v.overridable for v in result.violations)
    overrides = [
        {"rule": v.rule, "exercise": v.exercise, "reason": "She does this at the gym already."}
        for v in result.violations
    ]
    ok = accepted(plan, edits({**e.changes[0].model_dump()}, overrides=overrides), p)
    assert {o.rule for o in ok.overrides} == {v.rule for v in result.violations}


# --- properties ---------------------------------------------------------------------------


def _plan_ids(plan):
    return sorted({e["id"] for w in plan["weeks"] for s in w["sessions"] for e in s["exercises"]})


def _weeks_with(plan, ex_id):
    return [
        w["week"]
        for w in plan["weeks"]
        if any(e["id"] == ex_id for s in w["sessions"] for e in s["exercises"])
    ]


@st.composite
def edit_cases(draw):
    """A plan (any block) and one change a clinician might make to it."""
    case = draw(any_block())
    assume(case.plan["status"] == "ok")
    plan = case.plan
    kind = draw(st.sampled_from(["swap", "add", "remove", "dose"]))
    weeks_of = st.lists(st.integers(1, 6), min_size=1, max_size=6, unique=True)
    if kind == "add":
        change = {"kind": "add", "exercise": draw(st.sampled_from(sorted(cat.exercises)))}
        if draw(st.booleans()):
            change["weeks"] = draw(weeks_of)
        return case, change
    ex_id = draw(st.sampled_from(_plan_ids(plan)))
    change = {"kind": kind, "exercise": ex_id}
    present = _weeks_with(plan, ex_id)
    if draw(st.booleans()):
        change["weeks"] = draw(st.lists(st.sampled_from(present), min_size=1, unique=True))
    if kind == "swap":
        change["to"] = draw(st.sampled_from(sorted(set(cat.exercises) - {ex_id})))
    if kind == "dose":
        d = cat.exercises[ex_id].dosing
        field = draw(st.sampled_from([f for f in ("sets", "reps", "hold_s") if getattr(d, f)]))
        rng = getattr(d, field)
        change[field] = draw(st.integers(max(1, rng.min), rng.max))
    return case, change


def _touched(plan, change):
    """(week, exercise) pairs the change should show in the diff, restated from the edit."""
    ex = change["exercise"]
    weeks = change.get("weeks")
    if change["kind"] == "add":
        return {(w, ex) for w in (weeks or range(1, 7))}
    present = [w for w in _weeks_with(plan, ex) if weeks is None or w in weeks]
    if change["kind"] == "remove":
        return {(w, ex) for w in present}
    if change["kind"] == "swap":
        return {(w, x) for w in present for x in (ex, change["to"])}
    field = next(k for k in ("sets", "reps", "hold_s") if k in change)
    return {
        (w, ex)
        for w in present
        for s in plan["weeks"][w - 1]["sessions"]
        for e in s["exercises"]
        if e["id"] == ex and e[field] != change[field]
    }


def _diff_touched(changes):
    out = set()
    for c in changes:
        out |= {(c.week, x) for x in (c.exercise, c.to) if x is not None}
    return out


@settings(SAFETY)
@given(case=any_block())
def test_property_an_empty_edit_returns_the_plan_unchanged(case):
    result = apply_edits(case.plan, EditSet(reason="No change."), case.profile, cat)
    assert result.accepted and result.violations == () and result.overrides == ()
    assert result.plan == case.plan
    assert check_plan(result.plan, case.profile, cat) == []


@settings(SAFETY)
@given(drawn=edit_cases())
def test_property_accepted_edits_pass_the_checker_and_the_diff_names_them(drawn):
    case, change = drawn
    p, plan = case.profile, case.plan
    e = parse_edits({"reason": "Clinic review.", "changes": [change]})
    try:
        result = apply_edits(plan, e, p, cat)
    except EditError as err:
        # only an add to a session the week lacks, or emptying a session
        assert "no exercise" in str(err) or "session" in str(err), err
        return
    if not result.accepted:
        assert result.violations and all(v.override is None for v in result.violations)
        overridable = [v for v in result.violations if v.overridable]
        if len(overridable) < len(result.violations):
            return
        # every refusal is overridable: with a reason for each, the edit goes through
        reasons = {(v.rule, v.exercise) for v in overridable}
        e = parse_edits(
            {
                "reason": "Clinic review.",
                "changes": [change],
                "overrides": [{"rule": r, "exercise": x, "reason": "Cleared."} for r, x in reasons],
            }
        )
        result = apply_edits(plan, e, p, cat)
        assert result.accepted
        assert {(o.rule, o.exercise) for o in result.overrides} == reasons
        assert {o.rule for o in result.overrides} <= OVERRIDABLE
    new = result.plan
    plan_model().model_validate(new)
    listed = {(o.rule, o.exercise) for o in result.overrides}
    for v in check_plan(new, p, cat):
        assert v.override is not None and (v.rule, v.exercise) in listed, v
    assert _diff_touched(plan_diff(plan, new)) == _touched(plan, change)


@settings(SAFETY)
@given(case=any_block(), data=st.data())
def test_property_adding_a_forbidden_exercise_is_refused_with_that_rule(case, data):
    assume(case.plan["status"] == "ok")
    week = data.draw(st.integers(1, 6))
    restr = restrictions_for(case.profile, cat, week - 1)
    forbidden = {ex.id: restr.breaches(ex) for ex in cat.exercises.values()}
    forbidden = {k: v for k, v in forbidden.items() if v}
    assume(forbidden)
    ex_id = data.draw(st.sampled_from(sorted(forbidden)))
    assume(ex_id not in _plan_ids(case.plan))
    e = edits({"kind": "add", "exercise": ex_id, "weeks": [week]})
    result = apply_edits(case.plan, e, case.profile, cat)
    assert not result.accepted
    got = {(v.rule, v.week, v.exercise) for v in result.violations}
    assert {(rule, week, ex_id) for rule, _ in forbidden[ex_id]} <= got


@settings(SAFETY)
@given(case=any_block(), data=st.data())
def test_property_a_dose_outside_the_range_is_refused_naming_it(case, data):
    assume(case.plan["status"] == "ok")
    ex_id = data.draw(st.sampled_from(_plan_ids(case.plan)))
    d = cat.exercises[ex_id].dosing
    field = data.draw(st.sampled_from([f for f in ("sets", "reps", "hold_s") if getattr(d, f)]))
    rng = getattr(d, field)
    value = data.draw(
        st.integers(rng.max + 1, rng.max + 50)
        | (st.integers(1, rng.min - 1) if rng.min > 1 else st.nothing())
    )
    e = edits({"kind": "dose", "exercise": ex_id, field: value})
    result = apply_edits(case.plan, e, case.profile, cat)
    assert not result.accepted
    named = [v for v in result.violations if v.rule == "dose.range" and v.exercise == ex_id]
    assert named and all(f"{rng.min} to {rng.max}" in v.message for v in named)
    assert not any(v.overridable for v in named)
