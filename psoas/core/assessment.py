"""Turn self-test results into `tight`, `weak`, `tight_and_weak` or `unclear`, with reasons.

The cut-offs for the hold test are the project's working thresholds: no published norms
exist for a home hip-flexor hold (research/clinical.md 5.2), so they are meant to track one
person's change and to pick a starting program, not to diagnose. A self-test that the
person's conditions rule out (for example the Thomas test after a hip replacement) is
ignored even if a result was entered, and the reason says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HOLD_WEAK_BELOW_S = 15.0  # either side under this many seconds reads as weak
HOLD_ASYMMETRY = 0.25  # one side this much shorter than the other reads as weak...
HOLD_ASYMMETRY_MIN_S = 5.0  # ...when the gap is at least this many seconds
HOLD_CEILING_S = 30.0  # the test stops at 30 s; longer is recorded as 30


@dataclass(frozen=True)
class Result:
    classification: str
    reasons: tuple[str, ...]


def _thomas(assessment: Any, skip: frozenset[str]) -> tuple[bool | None, list[str]]:
    test = assessment.thomas_test if assessment else None
    if test is None or (test.left is None and test.right is None):
        return None, ["The Thomas test was not done, so tightness is unknown."]
    if "modified_thomas_test" in skip:
        return None, [
            "The Thomas test result was not used: it is not safe for you now "
            "(it lies you on your back and moves the hip to its limits)."
        ]
    positive = [side for side in ("left", "right") if getattr(test, side) == "positive"]
    if positive:
        where = "both sides" if len(positive) == 2 else f"the {positive[0]} side"
        return True, [
            f"Thomas test: the thigh stayed above level on {where}, so the hip flexors "
            "there are tight."
        ]
    return False, [
        "Thomas test: the thigh dropped to level or below, so the hip flexors are "
        "not tight on this test."
    ]


def _hold(assessment: Any, skip: frozenset[str]) -> tuple[bool | None, list[str]]:
    test = assessment.hip_flexor_hold_s if assessment else None
    if test is None or (test.left is None and test.right is None):
        return None, ["The hold test was not done, so strength is unknown."]
    if "hip_flexor_hold_test" in skip:
        return None, [
            "The hold test result was not used: lifting the knee that high is not safe for you now."
        ]
    times = {
        s: min(getattr(test, s), HOLD_CEILING_S)
        for s in ("left", "right")
        if getattr(test, s) is not None
    }
    short = [s for s, t in times.items() if t < HOLD_WEAK_BELOW_S]
    if short:
        return True, [
            f"Hold test: the {' and '.join(short)} side held under "
            f"{HOLD_WEAK_BELOW_S:.0f} s, so the hip flexors there are weak."
        ]
    if len(times) == 2:
        lo, hi = sorted(times.values())
        if hi - lo >= HOLD_ASYMMETRY_MIN_S and lo < hi * (1 - HOLD_ASYMMETRY):
            weak_side = min(times, key=times.get)  # type: ignore[arg-type]
            return True, [
                f"Hold test: the {weak_side} side held much less time than the "
                "other, so that side is weak."
            ]
    return False, ["Hold test: both sides held long enough, so strength looks fine on this test."]


def classify(profile: Any, skip_self_tests: frozenset[str]) -> Result:
    tight, why_t = _thomas(profile.assessment, skip_self_tests)
    weak, why_w = _hold(profile.assessment, skip_self_tests)
    reasons = why_t + why_w
    if tight and weak:
        label = "tight_and_weak"
    elif tight:
        label = "tight"
    elif weak:
        label = "weak"
    else:
        label = "unclear"
        if tight is False and weak is False:
            reasons.append(
                "Your tests did not find tight or weak hip flexors, so the program keeps "
                "them strong and supple, strength first."
            )
        else:
            reasons.append(
                "One test or both could not be used, so the program is a balanced mix "
                "that puts strength first."
            )
    return Result(label, tuple(reasons))


FINDINGS = {"tight": {"tight"}, "weak": {"weak"}, "tight_and_weak": {"tight", "weak"}}


def carry_on(before: str, now: Result) -> Result:
    """A later block's classification: what the first block found, plus anything new the
    re-test finds. A test that is now normal does not take a part of the program away: the
    program is what made it normal, and the next block keeps it up."""
    found = FINDINGS.get(before, set()) | FINDINGS.get(now.classification, set())
    label = "tight_and_weak" if len(found) == 2 else next(iter(found), "unclear")
    if label == now.classification:
        return now
    kept = before.replace("_", " ")
    why = (
        f"Your first block was for {kept} hip flexors. Your program keeps that up, so the "
        "gains stay."
    )
    return Result(label, (*now.reasons, why))


@dataclass(frozen=True)
class Sides:
    """The side that tested worse, where only one did: it gets one more set."""

    tight: str | None = None
    weak: str | None = None


def worse_sides(profile: Any, skip_self_tests: frozenset[str]) -> Sides:
    """One-sided results: a Thomas test positive on one side only, and a hold test short
    (or much shorter than the other side) on one side only. A test that was not safe to use
    counts for neither."""
    a = profile.assessment
    tight = weak = None
    thomas = a.thomas_test if a else None
    if thomas is not None and "modified_thomas_test" not in skip_self_tests:
        positive = [s for s in ("left", "right") if getattr(thomas, s) == "positive"]
        if len(positive) == 1:
            tight = positive[0]
    hold = a.hip_flexor_hold_s if a else None
    if hold is not None and "hip_flexor_hold_test" not in skip_self_tests:
        times = {
            s: min(getattr(hold, s), HOLD_CEILING_S)
            for s in ("left", "right")
            if getattr(hold, s) is not None
        }
        if len(times) == 2:
            short = [s for s, t in times.items() if t < HOLD_WEAK_BELOW_S]
            lo, hi = sorted(times.values())
            uneven = hi - lo >= HOLD_ASYMMETRY_MIN_S and lo < hi * (1 - HOLD_ASYMMETRY)
            if len(short) == 1 or (not short and uneven):
                weak = min(times, key=times.get)  # type: ignore[arg-type]
    return Sides(tight, weak)
