"""The example profiles' plans, compared with reviewed copies in tests/golden/.

After an intended change, regenerate with PSOAS_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from psoas.core.planning.planner import build_plan
from psoas.core.profile import load_profile_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_plan_matches_golden(path):
    plan = build_plan(load_profile_text(path.read_text()))
    golden = Path(__file__).parent / "golden" / f"{path.stem}.plan.json"
    text = json.dumps(plan, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("PSOAS_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert golden.exists(), f"no golden file; run with PSOAS_UPDATE_GOLDEN=1 and review {golden}"
    assert json.loads(golden.read_text()) == plan


def test_examples_cover_the_issue_list():
    names = {p.stem for p in EXAMPLES}
    assert {"desk_worker", "runner", "pregnant_24_weeks", "anticoagulants", "red_flag"} <= names
