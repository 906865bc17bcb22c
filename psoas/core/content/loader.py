"""Load and cross-check the YAML content that ships inside the package.

A broken file raises `ContentError` naming the file, the item id and the field, so that
whoever edits content sees exactly what to fix. Cross-references (substitutes, programs,
contraindications) are checked here too: a dangling id is a content error, not a crash
later in the planner.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from psoas.core.content.models import (
    ActivitySlot,
    Condition,
    Exercise,
    Limit,
    PregnancyRules,
    Program,
    Rule,
    Screening,
    SelfTest,
    SteadinessRules,
    Topic,
)

M = TypeVar("M", bound=BaseModel)


class ContentError(ValueError):
    def __init__(self, file: str, item_id: str | None, field: str | None, message: str):
        self.file, self.item_id, self.field = file, item_id, field
        where = f"content error in {file}"
        if item_id:
            where += f" (id {item_id})"
        if field:
            where += f", field {field}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Catalog:
    exercises: dict[str, Exercise]
    topics: dict[str, Topic]
    conditions: dict[str, Condition]
    limits: dict[str, Limit]
    screening: Screening
    pregnancy: PregnancyRules
    self_tests: dict[str, SelfTest]
    programs: dict[str, Program]
    steadiness: SteadinessRules
    activity_slots: tuple[ActivitySlot, ...] = ()

    @property
    def red_flags(self) -> dict[str, Any]:
        return {f.id: f for f in self.screening.red_flags}


def data_root() -> Path:
    return Path(str(resources.files("psoas.core.content") / "data"))


def _read_yaml(path: Path, root: Path) -> Any:
    rel = str(path.relative_to(root))
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(rel, None, None, f"not valid YAML: {exc}") from None


def _validate(model: type[M], data: Any, rel: str) -> M:
    item_id = data.get("id") if isinstance(data, dict) else None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        raise ContentError(rel, item_id, field, err["msg"]) from None


def one_per_file(folder: Path, model: type[M], root: Path) -> dict[str, M]:
    items: dict[str, M] = {}
    for path in sorted(folder.glob("*.yaml")):
        rel = str(path.relative_to(root))
        item = _validate(model, _read_yaml(path, root), rel)
        if item.id != path.stem:  # type: ignore[attr-defined]
            raise ContentError(rel, item.id, "id", f"must match the file name '{path.stem}'")  # type: ignore[attr-defined]
        items[item.id] = item  # type: ignore[attr-defined]
    return items


def _list_file(path: Path, model: type[M], root: Path, key: str = "id") -> dict[str, M]:
    rel = str(path.relative_to(root))
    data = _read_yaml(path, root)
    if not isinstance(data, list):
        raise ContentError(rel, None, None, "must be a list of items")
    items: dict[str, M] = {}
    for entry in data:
        item = _validate(model, entry, rel)
        ident = getattr(item, key)
        if ident in items:
            raise ContentError(rel, ident, key, "appears twice")
        items[ident] = item
    return items


def _check_rules(rules: list[Rule], rel: str, item_id: str, exercises: dict[str, Exercise]) -> None:
    for rule in rules:
        ids = rule.match.get("id")
        for ex_id in ids if isinstance(ids, list) else [ids] if ids else []:
            if ex_id not in exercises:
                raise ContentError(rel, item_id, "forbids.match.id", f"unknown exercise '{ex_id}'")


def _cross_check(cat: Catalog) -> None:
    ex = cat.exercises
    for e in ex.values():
        rel = f"exercises/{e.id}.yaml"
        for field in ("substitutes", "progressions", "regressions"):
            for ref in getattr(e, field):
                if ref not in ex:
                    raise ContentError(rel, e.id, field, f"unknown exercise '{ref}'")
        for cond in e.contraindications:
            if cond not in cat.conditions:
                raise ContentError(rel, e.id, "contraindications", f"unknown condition '{cond}'")
    for p in cat.programs.values():
        seen: set[str] = set()
        for slot in p.slots:
            if slot.exercise not in ex:
                raise ContentError(
                    "programs.yaml",
                    p.key,
                    "slots.exercise",
                    f"unknown exercise '{slot.exercise}'",
                )
            if slot.exercise in seen:
                raise ContentError(
                    "programs.yaml",
                    p.key,
                    "slots.exercise",
                    f"'{slot.exercise}' appears twice",
                )
            seen.add(slot.exercise)
    for a in cat.activity_slots:
        if a.exercise not in ex:
            raise ContentError("activities.yaml", None, "exercise", f"unknown '{a.exercise}'")
    missing = {"tight", "weak", "tight_and_weak", "unclear", "postpartum_early"} - set(cat.programs)
    if missing:
        raise ContentError("programs.yaml", None, "classification", f"missing {sorted(missing)}")
    for c in cat.conditions.values():
        _check_rules(c.forbids, "screening/conditions.yaml", c.id, ex)
        for cond_id in cat.steadiness.with_conditions:
            if cond_id not in cat.conditions:
                raise ContentError(
                    "screening/steadiness.yaml",
                    None,
                    "with_conditions",
                    f"unknown condition '{cond_id}'",
                )
        for t in c.modifiers.skip_self_tests:
            if t not in cat.self_tests:
                raise ContentError(
                    "screening/conditions.yaml",
                    c.id,
                    "modifiers.skip_self_tests",
                    f"unknown self-test '{t}'",
                )
    levels = {m.level for m in cat.screening.referral_messages}
    if levels != {"emergency", "urgent", "routine"}:
        raise ContentError(
            "screening/red_flags.yaml",
            None,
            "referral_messages",
            "needs one message for each of emergency, urgent and routine",
        )
    seen_flags: set[str] = set()
    for f in cat.screening.red_flags:
        if f.id in seen_flags:
            raise ContentError("screening/red_flags.yaml", f.id, "id", "appears twice")
        seen_flags.add(f.id)


def load_catalog(root: Path | None = None) -> Catalog:
    """Read every content file under `root` (the packaged data by default) and validate it."""
    root = root or data_root()
    scr = root / "screening"
    screening_file = scr / "red_flags.yaml"
    preg_file = scr / "pregnancy.yaml"
    programs_file = root / "programs.yaml"
    programs = _list_file(programs_file, Program, root, key="key")
    steady_file = scr / "steadiness.yaml"
    cat = Catalog(
        exercises=one_per_file(root / "exercises", Exercise, root),
        topics=one_per_file(root / "education", Topic, root),
        conditions=_list_file(scr / "conditions.yaml", Condition, root),
        limits=_list_file(scr / "limits.yaml", Limit, root),
        screening=_validate(
            Screening, _read_yaml(screening_file, root), str(screening_file.relative_to(root))
        ),
        pregnancy=_validate(
            PregnancyRules, _read_yaml(preg_file, root), str(preg_file.relative_to(root))
        ),
        self_tests=one_per_file(root / "self_tests", SelfTest, root),
        programs=programs,
        steadiness=_validate(
            SteadinessRules, _read_yaml(steady_file, root), str(steady_file.relative_to(root))
        ),
        activity_slots=tuple(
            _validate(ActivitySlot, entry, "activities.yaml")
            for entry in _read_yaml(root / "activities.yaml", root)
        ),
    )
    _cross_check(cat)
    return cat


@functools.cache
def catalog() -> Catalog:
    """The packaged catalog, loaded once per process."""
    return load_catalog()
