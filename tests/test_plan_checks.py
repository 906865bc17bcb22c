"""The plan checker (psoas/core/planning/checks.py): the planner's own plans pass it in every
week, and each rule finds a known-bad plan (one per rule), so the check cannot be vacuous.

A bad plan here is the planner's plan with one thing broken by hand: an exercise inserted
from the catalog at its easy end, a dose or a field changed, or the profile it is checked
against changed. Which weeks break a rule that moves with time is restated from the
profile's own numbers, not taken from the screening code.
"""

from __future__ import annotations

import copy
import dataclasses

import pytest
from hypothesis import given, settings

from psoas.core.content.loader import catalog
from psoas.core.planning.checks import OVERRIDABLE, blocking, check_plan
from psoas.core.planning.planner import MILD_STRETCH, build_plan
from psoas.core.player.timeline import Dose, session_seconds
from psoas.core.profile import parse_profile
from tests.strategies import EQUIPMENT, any_block, profiles

SAFETY = settings.get_profile("safety")
cat = catalog()
ALL_KIT = list(EQUIPMENT)


def profile(**fields):
    return parse_profile({"schema": "psoas.profile/1", **fields})


def entry(ex_id, **dose):
    """A plan entry for a catalog exercise at its easy end, built here from the catalog."""
    ex = cat.exercises[ex_id]
    d = ex.dosing
    e = {
        "id": ex_id,
        "slot": ex_id,
        "name": ex.name,
        "kind": ex.kind,
        "position": ex.movement.position,
        "equipment": list(ex.equipment),
        "side": d.sides,
        "sets": d.sets.min,
        "reps": d.reps.min if d.reps else None,
        "hold_s": d.hold_s.min if d.hold_s else None,
        "tempo_s": d.tempo_s if d.reps else None,
        "rest_s": d.rest_s,
        "focus_side": None,
        "why": "Added by the test.",
    }
    e.update(dose)
    return e


def retime(plan):
    for w in plan["weeks"]:
        for s in w["sessions"]:
            secs = session_seconds([Dose.from_plan(e) for e in s["exercises"]])
            s["estimated_minutes"] = round(secs / 60, 1)
    return plan


def with_exercise(plan, ex_id, weeks=None, **dose):
    plan = copy.deepcopy(plan)
    for w in plan["weeks"]:
        if weeks is None or w["week"] in weeks:
            w["sessions"][0]["exercises"].append(entry(ex_id, **dose))
    return retime(plan)


def ids_of(plan, week):
    return {e["id"] for s in plan["weeks"][week - 1]["sessions"] for e in s["exercises"]}


def found(violations, rule, exercise=None):
    return [
        v for v in violations if v.rule == rule and (exercise is None or v.exercise == exercise)
    ]


def plan_for(**fields):
    p = profile(**fields)
    return p, build_plan(p)


# --- the planner's plans pass -------------------------------------------------------------


@settings(SAFETY)
@given(case=any_block())
def test_the_planners_plans_pass_the_checker_in_every_week(case):
    assert check_plan(case.plan, case.profile, cat) == []


@settings(SAFETY)
@given(p=profiles(red_flags=True))
def test_a_referral_plan_passes(p):
    assert check_plan(build_plan(p), p, cat) == []


# --- one known-bad plan per rule ----------------------------------------------------------


def test_referral_a_plan_with_exercises_for_a_red_flag():
    ok = build_plan(profile())
    flagged = profile(red_flags=[cat.screening.red_flags[0].id])
    v = check_plan(ok, flagged, cat)
    assert [x.rule for x in v] == ["referral"]
    assert not v[0].overridable and "clinician" in v[0].message


def test_plan_schema_an_empty_session():
    p, plan = plan_for()
    bad = copy.deepcopy(plan)
    bad["weeks"][2]["sessions"][0]["exercises"] = []
    v = check_plan(bad, p, cat)
    assert [x.rule for x in v] == ["plan.schema"]
    assert "weeks.2.sessions.0.exercises" in v[0].message


def test_entry_catalog_a_wrong_position():
    p, plan = plan_for()
    bad = copy.deepcopy(plan)
    first = bad["weeks"][0]["sessions"][0]["exercises"][0]
    first["position"] = "prone" if first["position"] != "prone" else "standing"
    v = found(check_plan(bad, p, cat), "entry.catalog")
    assert [(x.week, x.exercise) for x in v] == [(1, first["id"])]
    assert "position" in v[0].message


def test_slot_one_an_exercise_in_two_slots():
    p, plan = plan_for()
    bad = copy.deepcopy(plan)
    e = bad["weeks"][3]["sessions"][0]["exercises"][0]
    e["slot"] = "lizard_pose"  # any exercise id but its own
    v = found(check_plan(bad, p, cat), "slot.one", e["id"])
    assert len(v) == 1 and "lizard_pose" in v[0].message
    # two exercises in one slot in the same week: the run's harder version beside it
    p, plan = plan_for(minutes_per_session=120)
    assert ids_of(plan, 5) >= {"kneeling_hip_flexor_stretch"}  # slot standing_hip_flexor_stretch
    bad = with_exercise(plan, "standing_hip_flexor_stretch", weeks=[5])
    bad["weeks"][4]["sessions"][0]["exercises"][-1]["slot"] = "standing_hip_flexor_stretch"
    v = found(check_plan(bad, p, cat), "slot.one")
    assert [x.week for x in v] == [5] and "share one slot" in v[0].message


LIMIT_CASES = {
    "no_kneeling": lambda m: m.knee_on_ground,
    "no_floor": lambda m: m.on_floor,
    "no_supine": lambda m: m.position == "supine",
    "no_prone": lambda m: m.position == "prone",
}


@pytest.mark.parametrize("limit", sorted(LIMIT_CASES))
def test_limit_each_limit_refuses_what_it_names(limit):
    ex = next(e for e in cat.exercises.values() if LIMIT_CASES[limit](e.movement))
    _, plan = plan_for(equipment=ALL_KIT, minutes_per_session=120)
    p = profile(equipment=ALL_KIT, minutes_per_session=120, limits=[limit])
    v = found(check_plan(with_exercise(plan, ex.id), p, cat), f"limit.{limit}", ex.id)
    assert [x.week for x in v] == [1, 2, 3, 4, 5, 6]
    assert not any(x.overridable for x in v)
    assert "Allowed instead: " in v[0].message or "No variant" in v[0].message


def test_pregnancy_supine_starts_in_the_plan_week_that_reaches_week_13():
    ex = "glute_bridge"
    _, plan = plan_for(minutes_per_session=120)
    p = profile(minutes_per_session=120, pregnancy_weeks=10)
    v = check_plan(with_exercise(plan, ex), p, cat)
    weeks = [w for w in range(1, 7) if 10 + w - 1 >= 13]
    assert [x.week for x in found(v, "pregnancy.supine", ex)] == weeks == [4, 5, 6]
    assert not found(v, "pregnancy.supine", ex)[0].overridable


def test_pregnancy_no_prone_work_at_any_week():
    ex = "foam_roll_adductors"  # face down on a roller
    _, plan = plan_for(equipment=ALL_KIT, minutes_per_session=120)
    p = profile(equipment=ALL_KIT, minutes_per_session=120, pregnancy_weeks=8)
    v = found(check_plan(with_exercise(plan, ex), p, cat), "pregnancy", ex)
    assert [x.week for x in v] == [1, 2, 3, 4, 5, 6]
    assert all(not x.overridable for x in v)


def test_postpartum_gentle_only_until_six_weeks():
    ex = "chair_split_squat"  # moderate effort
    _, plan = plan_for(equipment=ALL_KIT, minutes_per_session=120)
    p = profile(equipment=ALL_KIT, minutes_per_session=120, postpartum_weeks=3)
    v = found(check_plan(with_exercise(plan, ex), p, cat), "postpartum", ex)
    assert [x.week for x in v] == [w for w in range(1, 7) if 3 + w - 1 < 6] == [1, 2, 3]


def test_hip_replacement_precaution_lifts_after_twelve_weeks_and_is_overridable():
    ex = "seated_figure_four_stretch"  # hip flexion past 90
    _, plan = plan_for(equipment=ALL_KIT, minutes_per_session=120)
    p = profile(
        equipment=ALL_KIT,
        minutes_per_session=120,
        conditions=["hip_replacement_posterior"],
        hip_replacement_weeks=8,
    )
    v = found(
        check_plan(with_exercise(plan, ex), p, cat), "condition.hip_replacement_posterior", ex
    )
    assert [x.week for x in v] == [w for w in range(1, 7) if 8 + w - 1 < 12] == [1, 2, 3, 4]
    assert all(x.overridable and x.override is None for x in v)
    assert "right angle" in v[0].message
    assert "No variant of it is allowed in this week." in v[0].message


def test_osteoporosis_never_rolls_back_with_the_knees_hugged():
    ex = "supine_table_hip_flexor_stretch"
    assert cat.exercises[ex].movement.spinal_flexion_end_range
    _, plan = plan_for(equipment=ALL_KIT, minutes_per_session=120)
    p = profile(equipment=ALL_KIT, minutes_per_session=120, conditions=["osteoporosis"])
    v = found(check_plan(with_exercise(plan, ex), p, cat), "condition.osteoporosis", ex)
    assert len(v) == 6 and not v[0].overridable


def test_acute_injury_no_stretch():
    _, plan = plan_for(minutes_per_session=120)
    stretch = next(
        e["id"]
        for s in plan["weeks"][0]["sessions"]
        for e in s["exercises"]
        if e["kind"] == "stretch"
    )
    hurt = profile(minutes_per_session=120, conditions=["acute_injury"])
    v = found(check_plan(plan, hurt, cat), "condition.acute_injury", stretch)
    assert v and not v[0].overridable


def test_contraindication_listed_on_the_exercise():
    _, plan = plan_for()
    ex_id = plan["weeks"][0]["sessions"][0]["exercises"][0]["id"]
    ex = cat.exercises[ex_id]
    marked = dataclasses.replace(
        cat,
        exercises={**cat.exercises, ex_id: ex.model_copy(update={"contraindications": ["cancer"]})},
    )
    v = found(check_plan(plan, profile(conditions=["cancer"]), marked), "contraindication.cancer")
    assert {x.exercise for x in v} == {ex_id} and not v[0].overridable
    assert check_plan(plan, profile(), marked) == []


def test_steadiness_older_people_with_balance_unknown():
    ex = "forward_lunge"  # needs balance
    _, plan = plan_for(minutes_per_session=120)
    v = check_plan(with_exercise(plan, ex), profile(minutes_per_session=120, age=70), cat)
    assert len(found(v, "steadiness", ex)) == 6
    told = check_plan(
        with_exercise(plan, ex), profile(minutes_per_session=120, age=70, balance="good"), cat
    )
    assert not found(told, "steadiness", ex)


def test_steadiness_poor_balance_no_floor():
    ex = "clamshell"
    _, plan = plan_for(minutes_per_session=120)
    v = check_plan(with_exercise(plan, ex), profile(minutes_per_session=120, balance="poor"), cat)
    assert len(found(v, "steadiness.poor_balance", ex)) == 6


def test_equipment_missing():
    ex = "seated_chair_hip_flexor_stretch"  # needs a chair
    _, plan = plan_for(minutes_per_session=120)
    v = found(
        check_plan(with_exercise(plan, ex), profile(minutes_per_session=120), cat), "equipment", ex
    )
    assert len(v) == 6 and "chair" in v[0].message
    weighted = with_exercise(plan, "standing_knee_lift", equipment=["ankle_weights"])
    v = check_plan(weighted, profile(minutes_per_session=120), cat)
    assert found(v, "equipment", "standing_knee_lift")


def test_added_weight_while_a_new_hip_heals():
    kit = ["ankle_weights", "chair"]
    fields = dict(equipment=kit, minutes_per_session=120, conditions=["hip_replacement_anterior"])
    _, plan = plan_for(equipment=kit, minutes_per_session=120)
    bad = with_exercise(plan, "standing_hip_abduction", equipment=["ankle_weights"])
    v = found(check_plan(bad, profile(**fields), cat), "added_weight", "standing_hip_abduction")
    assert len(v) == 6 and not v[0].overridable


def test_a_note_the_rules_ask_for_must_be_in_the_why():
    p, plan = plan_for(conditions=["hip_replacement_posterior"], equipment=["chair"])
    assert check_plan(plan, p, cat) == []
    bad = copy.deepcopy(plan)
    lift = next(e for e in bad["weeks"][1]["sessions"][0]["exercises"] if "halfway" in e["why"])
    lift["why"] = "Lift your knee."
    v = found(check_plan(bad, p, cat), "condition.hip_replacement_posterior", lift["id"])
    assert [x.week for x in v] == [2] and "halfway" in v[0].message


def test_mild_stretch_note_in_pregnancy():
    p, plan = plan_for(pregnancy_weeks=20)
    bad = copy.deepcopy(plan)
    stretch = next(e for e in bad["weeks"][0]["sessions"][0]["exercises"] if e["kind"] == "stretch")
    stretch["why"] = stretch["why"].replace(MILD_STRETCH, "")
    v = found(check_plan(bad, p, cat), "mild_stretch", stretch["id"])
    assert [x.week for x in v] == [1]


@pytest.mark.parametrize(
    ("ex_id", "dose", "words"),
    [
        ("standing_knee_lift", {"sets": 4}, "Sets must be 1 to 3"),
        ("standing_knee_lift", {"reps": 9}, "must be 10 to 15 reps"),
        ("standing_knee_lift", {"hold_s": 6}, "must be 3 to 5 s"),
        ("standing_hip_flexor_stretch", {"hold_s": 61}, "must be 30 to 60 s"),
        ("standing_hip_flexor_stretch", {"reps": 10}, "held, not counted in reps"),
        ("standing_hip_abduction", {"hold_s": 3}, "no hold or pause"),
        ("standing_knee_lift", {"sets": 3, "focus_side": "left"}, "one more on the focus side"),
    ],
)
def test_dose_range_names_the_range(ex_id, dose, words):
    p, plan = plan_for(minutes_per_session=120)
    bad = copy.deepcopy(plan)
    for w in bad["weeks"]:
        w["sessions"][0]["exercises"] = [
            e for e in w["sessions"][0]["exercises"] if e["id"] != ex_id
        ]
    bad = with_exercise(bad, ex_id, weeks=[2], **dose)
    v = found(check_plan(bad, p, cat), "dose.range", ex_id)
    assert [x.week for x in v] == [2]
    assert words in v[0].message and not v[0].overridable


def test_session_minutes_longer_than_the_person_has():
    _, plan = plan_for(minutes_per_session=30)
    v = found(check_plan(plan, profile(minutes_per_session=5), cat), "session.minutes")
    assert v and "5 minutes" in v[0].message and not v[0].overridable


def test_session_estimate_not_the_timeline():
    p, plan = plan_for()
    bad = copy.deepcopy(plan)
    bad["weeks"][4]["sessions"][0]["estimated_minutes"] += 1
    assert [(x.rule, x.week) for x in check_plan(bad, p, cat)] == [("session.estimate", 5)]


def test_session_repeat():
    p, plan = plan_for(minutes_per_session=120)
    bad = copy.deepcopy(plan)
    s = bad["weeks"][0]["sessions"][0]
    s["exercises"].append(copy.deepcopy(s["exercises"][0]))
    v = found(check_plan(retime(bad), p, cat), "session.repeat", s["exercises"][0]["id"])
    assert [x.week for x in v] == [1]


def _strength(plan, week):
    return next(e for e in plan["weeks"][week - 1]["sessions"][0]["exercises"] if e["reps"])


def test_progression_load_step_is_overridable():
    p, plan = plan_for(minutes_per_session=120)
    bad = copy.deepcopy(plan)
    e = _strength(bad, 2)
    e["sets"] = _strength(bad, 1)["sets"] + 1  # one more set at the same reps: +50% or more
    v = found(check_plan(retime(bad), p, cat), "progression.load_step", e["id"])
    assert [x.week for x in v] == [2]
    assert v[0].overridable and "At most 20%" in v[0].message


def test_progression_one_change():
    p, plan = plan_for(minutes_per_session=120)
    bad = copy.deepcopy(plan)
    before, e = _strength(bad, 1), _strength(bad, 2)
    e.update(sets=before["sets"] + 1, reps=before["reps"] + 1)
    v = found(check_plan(retime(bad), p, cat), "progression.one_change", e["id"])
    assert [x.week for x in v] == [2] and "sets and reps" in v[0].message


def test_progression_held_stretch_in_pregnancy():
    p, plan = plan_for(pregnancy_weeks=20)
    bad = copy.deepcopy(plan)
    stretch = next(e for e in bad["weeks"][2]["sessions"][0]["exercises"] if e["kind"] == "stretch")
    stretch["hold_s"] += 5
    v = found(check_plan(retime(bad), p, cat), "progression.held_stretch", stretch["id"])
    assert [x.week for x in v] == [3] and not v[0].overridable


def test_a_later_start_moves_the_situation_on():
    """A plan made at pregnancy week 10 keeps lying on the back for its first 3 weeks;
    started 3 weeks later, its first week is week 13 of the pregnancy."""
    p, plan = plan_for(pregnancy_weeks=10)
    supine = {
        w["week"]
        for w in plan["weeks"]
        for s in w["sessions"]
        for e in s["exercises"]
        if e["position"] == "supine"
    }
    assert supine == {1, 2, 3}
    assert check_plan(plan, p, cat) == []
    v = check_plan(plan, p, cat, days_on=21)
    assert {x.week for x in found(v, "pregnancy.supine")} == {1, 2, 3}
    # two days later than the profile: week 3 straddles pregnancy weeks 12 and 13
    assert {x.week for x in found(check_plan(plan, p, cat, days_on=2), "pregnancy.supine")} == {3}


def _record(plan, ex, rule):
    for w in plan["weeks"]:
        for e in w["sessions"][0]["exercises"]:
            if e["id"] == ex:
                e["clinician"] = {
                    "reason": "Cleared.",
                    "overrides": [{"rule": rule, "reason": "Cleared."}],
                }
    return plan


def test_a_recorded_override_answers_only_an_overridable_rule():
    ex = "seated_figure_four_stretch"
    fields = dict(
        equipment=ALL_KIT, minutes_per_session=120, conditions=["hip_replacement_posterior"]
    )
    p, plan = plan_for(**fields)
    hip = "condition.hip_replacement_posterior"
    v = check_plan(_record(with_exercise(plan, ex), ex, hip), p, cat)
    assert found(v, hip, ex) and all(x.override == "Cleared." for x in found(v, hip, ex))
    assert blocking(v) == []
    # the same override does not answer another rule the exercise breaks
    no_chair = profile(**{**fields, "equipment": ["mat"]})
    v = blocking(check_plan(_record(with_exercise(plan, ex), ex, hip), no_chair, cat))
    assert {x.rule for x in v if x.exercise == ex} == {"equipment"}
    # nor is a recorded override of a rule no clinician may overrule honoured
    preg = profile(equipment=ALL_KIT, minutes_per_session=120, pregnancy_weeks=20)
    _, base = plan_for(equipment=ALL_KIT, minutes_per_session=120, pregnancy_weeks=20)
    supine = _record(
        with_exercise(base, "figure_four_stretch"), "figure_four_stretch", "pregnancy.supine"
    )
    v = found(blocking(check_plan(supine, preg, cat)), "pregnancy.supine")
    assert len(v) == 6 and v[0].override is None


def test_only_the_documented_rules_are_overridable():
    documented = {
        "condition.hip_replacement_posterior",
        "condition.hip_replacement_lateral",
        "condition.hip_replacement_anterior",
        "progression.load_step",
        "progression.one_change",
    }
    assert documented == OVERRIDABLE
    assert set(cat.conditions) >= {r.split(".", 1)[1] for r in OVERRIDABLE if "condition" in r}
