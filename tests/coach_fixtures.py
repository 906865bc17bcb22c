"""Where the camera coach's test footage is: `../shared/coach` beside the project root (the
developers' checkout and CI's clean clone both see it there). The media are for tests only,
never shown in the product (their README, LICENSE-NOTICES)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOOTAGE = ROOT.parent / "shared" / "coach"

# Runs, sits 8 hours a day, hip flexors tested tight: a session every day, with the standing
# knee lift, the forward lunge (coached, reps), the kneeling stretch (coached, a hold) and
# the side-lying stretch (which a camera cannot coach). The browser coach's tests and
# bench/coach.py start their sessions from it.
COACHED_PROFILE = {
    "schema": "psoas.profile/1",
    "age": 35,
    "sitting_hours_per_day": 8,
    "equipment": ["mat", "chair"],
    "activities": ["running"],
    "assessment": {"thomas_test": {"left": "positive", "right": "positive"}},
    "pain": {"nprs": 2},
}


def footage(name: str) -> Path:
    """A fixture file; the test is skipped, saying so, only when the folder is not there."""
    if not FOOTAGE.is_dir():
        pytest.skip(f"the coach's test footage is not beside the project ({FOOTAGE} is absent)")
    path = FOOTAGE / name
    assert path.is_file(), f"{path} is missing from the coach's test footage"
    return path
