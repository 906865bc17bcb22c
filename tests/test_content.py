"""The catalog: it loads, cross-references resolve, broken files are named, text is plain."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import textstat
import yaml

from psoas.core.content.loader import ContentError, data_root, load_catalog
from psoas.core.content.readability import groups

# Every exercise PRODUCT.md's source list names, and the variants the safety rules need.
REQUIRED = {
    "supine_table_hip_flexor_stretch",
    "kneeling_hip_flexor_stretch",
    "lizard_pose",
    "figure_four_stretch",
    "seated_chair_hip_flexor_stretch",
    "foam_roll_tfl",
    "foam_roll_adductors",
    "glute_bridge",
    "ball_bridge",
    "clamshell",
    "fire_hydrant",
    "supine_straight_leg_raise",
    "forward_lunge",
    "standing_hip_flexor_stretch",
    "side_lying_hip_flexor_stretch",
    "chair_split_squat",
    "seated_figure_four_stretch",
    "seated_knee_lift",
    "standing_knee_lift",
    "standing_hip_extension",
}
PRODUCT_CONDITIONS = {
    "anticoagulants",
    "cancer",
    "blood_clots",
    "aneurysm",
    "congestive_heart_failure",
    "open_wounds",
    "bursitis",
    "obstructive_edema",
    "osteoporosis",
    "hip_replacement_posterior",
    "hip_replacement_anterior",
    "recent_surgery",
    "acute_injury",
    "hypermobility",
}


def test_catalog_has_the_required_content(cat):
    assert set(cat.exercises) >= REQUIRED
    assert set(cat.conditions) >= PRODUCT_CONDITIONS
    assert {"no_kneeling", "no_floor", "no_supine", "no_prone"} == set(cat.limits)
    assert {"modified_thomas_test", "hip_flexor_hold_test"} <= set(cat.self_tests)
    assert {
        "anatomy",
        "tight_vs_weak",
        "causes",
        "symptoms",
        "when_to_see_a_clinician",
        "claims",
    } <= set(cat.topics)


def test_every_exercise_has_sources_and_both_poses(cat):
    for ex in cat.exercises.values():
        assert ex.sources and all(s.fact for s in ex.sources), ex.id
        assert ex.illustration.start.joints and ex.illustration.end.joints, ex.id


def test_supine_and_kneeling_exercises_have_a_safe_substitute(cat):
    for ex in cat.exercises.values():
        m = ex.movement
        if m.position == "supine" or m.knee_on_ground:
            subs = [cat.exercises[s].movement for s in ex.substitutes]
            assert any(
                s.position not in ("supine", "prone") and not s.knee_on_ground for s in subs
            ), ex.id


def test_honest_targets_for_figure_four_and_chair_stretch(cat):
    assert "iliopsoas" not in cat.exercises["figure_four_stretch"].targets
    assert "psoas" in cat.exercises["figure_four_stretch"].target_note.lower()
    assert "milder" in cat.exercises["seated_chair_hip_flexor_stretch"].target_note.lower()


def test_claims_cover_the_popular_myths_with_grades(cat):
    claims = {c.id: c for c in cat.topics["claims"].claims}
    for myth in (
        "soul_muscle_reptile_brain",
        "psoas_pulls_sciatic_nerve",
        "dehydration_stiffens_psoas",
        "tight_psoas_causes_back_pain",
    ):
        assert claims[myth].grade == "unsupported"
    # One cross-sectional study: "a link but not a cause" is the page's own rubric for mixed.
    assert claims["strength_matters_for_back_pain"].grade == "mixed"


def _copy_data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(data_root(), root)
    return root


def test_broken_file_names_file_id_and_field(tmp_path):
    root = _copy_data(tmp_path)
    path = root / "exercises" / "glute_bridge.yaml"
    data = yaml.safe_load(path.read_text())
    data["dosing"]["sets"] = {"min": 3, "max": 1}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError) as info:
        load_catalog(root)
    msg = str(info.value)
    assert "exercises/glute_bridge.yaml" in msg and "glute_bridge" in msg
    assert "dosing.sets" in msg


def test_dangling_substitute_is_a_content_error(tmp_path):
    root = _copy_data(tmp_path)
    path = root / "exercises" / "clamshell.yaml"
    data = yaml.safe_load(path.read_text())
    data["substitutes"] = ["no_such_exercise"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError, match=r"substitutes.*no_such_exercise"):
        load_catalog(root)


def test_invalid_yaml_is_named(tmp_path):
    root = _copy_data(tmp_path)
    (root / "screening" / "limits.yaml").write_text("- id: [unclosed\n")
    with pytest.raises(ContentError, match=r"screening/limits.yaml.*not valid YAML"):
        load_catalog(root)


def _all_items(cat):
    yield from cat.exercises.values()
    yield from cat.self_tests.values()
    yield from cat.topics.values()
    yield from cat.conditions.values()
    yield from cat.limits.values()
    yield from cat.programs.values()
    yield cat.screening
    yield cat.pregnancy


def test_plain_language_grades(cat):
    too_hard = []
    for item in _all_items(cat):
        for label, text, limit in groups(item):
            grade = textstat.flesch_kincaid_grade(text)
            if grade > limit:
                name = getattr(item, "id", None) or type(item).__name__
                too_hard.append(f"{name} {label}: grade {grade} > {limit}")
    assert not too_hard, "\n".join(too_hard)


def test_activity_slots_name_real_activities_and_exercises():
    from psoas.core.content.loader import catalog
    from psoas.core.profile import ACTIVITIES

    cat = catalog()
    assert cat.activity_slots
    for a in cat.activity_slots:
        assert set(a.activities) <= set(ACTIVITIES), a.activities
        assert a.exercise in cat.exercises and cat.exercises[a.exercise].library_note is None
