"""Check content files while writing them: model validation and reading grade per field group.

Usage: python tools/check_content.py FILE.yaml [FILE.yaml ...]
Each file is validated against the model its folder holds; then every text group is graded
with Flesch-Kincaid (textstat 0.7.3) against the limit PRODUCT.md sets. Exit 1 on a problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

import textstat
import yaml

from psoas.core.content import models
from psoas.core.content.questionnaires import Questionnaire, reading_groups
from psoas.core.content.readability import groups

BY_FOLDER = {
    "exercises": models.Exercise,
    "education": models.Topic,
    "self_tests": models.SelfTest,
    "questionnaires": Questionnaire,
}
BY_NAME = {
    "red_flags.yaml": models.Screening,
    "pregnancy.yaml": models.PregnancyRules,
    "conditions.yaml": [models.Condition],
    "limits.yaml": [models.Limit],
    "programs.yaml": [models.Program],
}


def check(path: Path) -> int:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    model = BY_NAME.get(path.name) or BY_FOLDER[path.parent.name]
    items = (
        [model[0].model_validate(d) for d in data]
        if isinstance(model, list)
        else [model.model_validate(data)]
    )
    bad = 0
    for item in items:
        grouped = reading_groups(item) if isinstance(item, Questionnaire) else groups(item)
        for label, text, limit in grouped:
            grade = textstat.flesch_kincaid_grade(text)
            flag = "OK " if grade <= limit else "BAD"
            bad += grade > limit
            name = getattr(item, "id", None) or getattr(item, "classification", path.stem)
            print(f"{flag} {path.name} {name} {label}: grade {grade} (max {limit})")
    return bad


if __name__ == "__main__":
    failures = sum(check(Path(p)) for p in sys.argv[1:])
    sys.exit(1 if failures else 0)
