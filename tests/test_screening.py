"""Which red-flag questions are asked of whom, and how restrictions are gathered."""

from __future__ import annotations

from psoas.core.profile import parse_profile
from psoas.core.screening.referral import questions_to_ask
from psoas.core.screening.restrictions import pregnancy_stage, restrictions_for


def profile(**fields):
    return parse_profile({"schema": "psoas.profile/1", **fields})


def test_follow_up_questions_only_when_their_risk_factor_is_present(cat):
    young = {f.id for f in questions_to_ask(profile(age=30), cat)}
    older = {f.id for f in questions_to_ask(profile(age=55, conditions=["cancer"]), cat)}
    assert "new_back_pain_over_50" not in young and "new_back_pain_over_50" in older
    assert "cancer_history_new_pain" not in young and "cancer_history_new_pain" in older
    pregnant = {f.id for f in questions_to_ask(profile(pregnancy_weeks=20), cat)}
    assert "pregnancy_bleeding" in pregnant and "pregnancy_bleeding" not in young
    after_birth = {f.id for f in questions_to_ask(profile(postpartum_weeks=3), cat)}
    assert "postpartum_heavy_bleeding" in after_birth


def test_every_session_questions_include_every_emergency_item(cat):
    every = questions_to_ask(profile(pregnancy_weeks=30), cat, every_session_only=True)
    ids = {f.id for f in every}
    emergencies = {f.id for f in cat.screening.red_flags if f.level == "emergency"}
    assert emergencies <= ids
    assert "pregnancy_contractions" in ids
    assert "no_improvement_6_weeks" not in ids


def test_pregnancy_stages(cat):
    assert pregnancy_stage(profile(pregnancy_weeks=12), cat) == "early"
    assert pregnancy_stage(profile(pregnancy_weeks=13), cat) == "supine_limit"
    assert pregnancy_stage(profile(postpartum_weeks=5), cat) == "postpartum_gentle"
    assert pregnancy_stage(profile(postpartum_weeks=6), cat) is None
    assert pregnancy_stage(profile(), cat) is None


def test_restrictions_collect_modifiers_and_skipped_tests(cat):
    r = restrictions_for(profile(conditions=["hypermobility", "hip_replacement_posterior"]), cat)
    assert r.cap_stretch_intensity and r.hold_stretch_progression and r.favour_strength
    assert {"modified_thomas_test", "hip_flexor_hold_test"} <= r.skip_self_tests
    assert (
        "modified_thomas_test"
        in restrictions_for(profile(limits=["no_supine"]), cat).skip_self_tests
    )


def test_missing_equipment_names_the_item(cat):
    r = restrictions_for(profile(), cat)
    assert "foam roller" in r.reason_against(cat.exercises["foam_roll_tfl"])
    assert r.reason_against(cat.exercises["standing_knee_lift"]) is None
