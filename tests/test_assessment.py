"""Self-test results to a classification."""

from __future__ import annotations

import pytest

from psoas.core.assessment import classify
from psoas.core.profile import parse_profile


def _classify(assessment, skip=frozenset()):
    p = parse_profile({"schema": "psoas.profile/1", "assessment": assessment})
    return classify(p, skip)


@pytest.mark.parametrize(
    ("assessment", "expected"),
    [
        ({"thomas_test": {"left": "positive"}}, "tight"),
        ({"thomas_test": {"left": "negative", "right": "negative"}}, "unclear"),
        ({"hip_flexor_hold_s": {"left": 10, "right": 25}}, "weak"),
        ({"hip_flexor_hold_s": {"left": 30, "right": 20}}, "weak"),  # 33% shorter, 10 s gap
        ({"hip_flexor_hold_s": {"left": 30, "right": 26}}, "unclear"),  # small gap
        ({"hip_flexor_hold_s": {"left": 120, "right": 26}}, "unclear"),  # 30 s ceiling
        (
            {"thomas_test": {"right": "positive"}, "hip_flexor_hold_s": {"left": 5}},
            "tight_and_weak",
        ),
        ({}, "unclear"),
    ],
)
def test_rules(assessment, expected):
    assert _classify(assessment).classification == expected


def test_every_result_is_explained():
    result = _classify({"thomas_test": {"left": "positive"}, "hip_flexor_hold_s": {"left": 25}})
    assert any("Thomas test" in r for r in result.reasons)
    assert any("Hold test" in r for r in result.reasons)


def test_skipped_test_is_ignored_and_said():
    result = _classify(
        {"thomas_test": {"left": "positive"}}, skip=frozenset({"modified_thomas_test"})
    )
    assert result.classification == "unclear"
    assert any("not used" in r for r in result.reasons)
