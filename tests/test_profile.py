"""Profile validation: each bad input gets one line naming the field and what is allowed."""

from __future__ import annotations

import json

import pytest

from psoas.core.profile import ProfileError, load_profile_text, parse_profile, profile_json_schema

BASE = {"schema": "psoas.profile/1"}


def _err(data) -> str:
    with pytest.raises(ProfileError) as info:
        parse_profile(data)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_minimal_profile_is_valid():
    p = parse_profile(BASE)
    assert p.age is None and p.conditions == [] and p.equipment == []


@pytest.mark.parametrize(
    ("patch", "field", "hint"),
    [
        ({"age": 300}, "age", "less than or equal to 120"),
        ({"age": -1}, "age", "greater than or equal to 0"),
        ({"age": "forty"}, "age", "integer"),
        ({"age": True}, "age", "integer"),
        ({"age": 40.5}, "age", "integer"),
        ({"pain": {"nprs": 11}}, "pain.nprs", "less than or equal to 10"),
        ({"minutes_per_session": -5}, "minutes_per_session", "greater than or equal to 5"),
        ({"minutes_per_session": 500}, "minutes_per_session", "less than or equal to 120"),
        ({"sitting_hours_per_day": 25}, "sitting_hours_per_day", "24"),
        ({"pregnancy_weeks": 50}, "pregnancy_weeks", "42"),
        ({"conditions": ["broken_heart"]}, "conditions[0]", "'anticoagulants'"),
        ({"red_flags": ["nope"]}, "red_flags[0]", "'saddle_numbness'"),
        ({"limits": ["no_jumping"]}, "limits[0]", "'no_kneeling'"),
        ({"equipment": ["treadmill"]}, "equipment[0]", "'foam_roller'"),
        ({"activities": ["chess"]}, "activities[0]", "'running'"),
        (
            {"assessment": {"thomas_test": {"left": "maybe"}}},
            "assessment.thomas_test.left",
            "'positive'",
        ),
        (
            {"assessment": {"hip_flexor_hold_s": {"left": -3}}},
            "assessment.hip_flexor_hold_s.left",
            "greater than or equal to 0",
        ),
        ({"conditions": "anticoagulants"}, "conditions", "list"),
    ],
)
def test_bad_values_name_the_field_and_the_allowed_values(patch, field, hint):
    msg = _err({**BASE, **patch})
    assert f"'{field}'" in msg
    assert hint in msg


def test_unknown_field_lists_allowed_fields():
    msg = _err({**BASE, "favourite_colour": "blue"})
    assert "unknown field 'favourite_colour'" in msg and "minutes_per_session" in msg


def test_schema_is_required_and_checked():
    assert "'schema'" in _err({"age": 30})
    assert "'schema'" in _err({"schema": "psoas.profile/2"})


def test_pregnant_and_postpartum_together_is_refused():
    assert "not both" in _err({**BASE, "pregnancy_weeks": 10, "postpartum_weeks": 3})


def test_malformed_json_names_line_and_column():
    with pytest.raises(ProfileError, match=r"not valid JSON at line 1 column \d+"):
        load_profile_text('{"schema": "psoas.profile/1",}')
    with pytest.raises(ProfileError, match="must be a JSON object"):
        load_profile_text("[1, 2]")


def test_json_schema_lists_every_id_as_an_enum(cat):
    schema = json.dumps(profile_json_schema())
    for ident in [*cat.conditions, *cat.limits, *(f.id for f in cat.screening.red_flags)]:
        assert f'"{ident}"' in schema
