"""Questionnaire content: the free ones ship, broken files are named, the docs' templates load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat
import yaml

from psoas.core.content.loader import ContentError
from psoas.core.content.questionnaires import (
    load_questionnaires,
    questionnaires,
    reading_groups,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "outcomes.md"


def _write(tmp_path: Path, data: dict, name: str | None = None) -> Path:
    folder = tmp_path / "questionnaires"
    folder.mkdir(exist_ok=True)
    (folder / f"{name or data['id']}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return tmp_path


def _nprs_data() -> dict:
    return questionnaires()["nprs"].model_dump(mode="json", exclude_none=True)


def test_only_the_free_questionnaires_ship():
    assert set(questionnaires()) == {"nprs", "psfs"}
    for q in questionnaires().values():
        assert "free" in q.licence.lower()


def test_nprs_figures():
    q = questionnaires()["nprs"]
    assert q.loinc == "72514-3"
    assert (q.range.min, q.range.max) == (0, 10)
    assert q.scoring.method == "single" and q.direction == "higher_is_worse"
    mc = q.minimal_change
    assert mc.kind == "mcid" and mc.points == 2 and mc.percent == 30
    assert "Ostelo" in mc.source.title


def test_psfs_figures():
    q = questionnaires()["psfs"]
    ratings = q.scored_items
    assert len(ratings) == 5 and q.scoring.method == "mean" and q.scoring.min_answered == 3
    assert all((i.lowest, i.highest) == (0, 10) for i in ratings)
    assert all(q.item(i.label_item).answer.type == "free_text" for i in ratings)
    assert q.direction == "higher_is_better"
    mc = q.minimal_change
    assert mc.kind == "mdc" and mc.points == 2 and mc.item_points == 3
    assert "Stratford" in q.licence and any("Stratford" in s.title for s in q.sources)


def test_questions_read_at_grade_6_or_below():
    too_hard = [
        f"{q.id} {label}: grade {grade} > {limit}"
        for q in questionnaires().values()
        for label, text, limit in reading_groups(q)
        if (grade := textstat.flesch_kincaid_grade(text)) > limit
    ]
    assert not too_hard, "\n".join(too_hard)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["range"].update(max=9), "range"),
        (lambda d: d["scoring"].update(method="count_ticked"), "scoring"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["items"][0]["answer"]["anchors"].pop("10"), "items"),
        (lambda d: d.update(loinc="not a code"), "loinc"),
        (lambda d: d.update(bands=[{"up_to": 5, "label": "mild"}]), "bands"),
    ],
)
def test_broken_file_names_file_id_and_field(tmp_path, change, field):
    data = _nprs_data()
    change(data)
    with pytest.raises(ContentError) as info:
        load_questionnaires(_write(tmp_path, data))
    err = info.value
    assert (err.file, err.item_id) == ("questionnaires/nprs.yaml", "nprs")
    assert err.field.split(".")[0] == field, str(err)


def test_file_name_must_be_the_id(tmp_path):
    with pytest.raises(ContentError, match=r"must match the file name 'pain'"):
        load_questionnaires(_write(tmp_path, _nprs_data(), name="pain"))


def test_label_item_must_name_free_text(tmp_path):
    data = questionnaires()["psfs"].model_dump(mode="json", exclude_none=True)
    data["items"][1]["label_item"] = "activity_2"
    with pytest.raises(ContentError, match=r"field items: .*label_item"):
        load_questionnaires(_write(tmp_path, data))


def test_percent_scoring_needs_items_from_zero(tmp_path):
    data = _nprs_data()
    anchors = {1: "Low", 6: "High"}
    data["items"][0]["answer"] = {"type": "integer_scale", "min": 1, "max": 6, "anchors": anchors}
    data["scoring"] = {"method": "percent_of_max"}
    with pytest.raises(ContentError, match=r"field scoring: .*score from 0"):
        load_questionnaires(_write(tmp_path, data))


def _doc_templates() -> list[dict]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    return [yaml.safe_load(b) for b in blocks]


def test_docs_templates_load_and_hold_no_licensed_text(tmp_path):
    templates = _doc_templates()
    assert [t["id"] for t in templates] == ["odi", "rmdq", "startback"]
    for t in templates:
        _write(tmp_path, t)
    loaded = load_questionnaires(tmp_path)
    assert loaded["odi"].scoring.method == "percent_of_max"
    assert loaded["odi"].scoring.min_answered == 8
    assert len(loaded["rmdq"].items) == 24 and loaded["rmdq"].range.max == 24
    assert len(loaded["startback"].items) == 9
    for q in loaded.values():
        for item in q.items:
            assert "(licensed text)" in item.text, f"{q.id} {item.id}"


def test_startback_needs_nine_items(tmp_path):
    data = _doc_templates()[2]
    data["items"].pop()
    with pytest.raises(ContentError, match=r"field scoring: .*method startback"):
        load_questionnaires(_write(tmp_path, data))


def test_a_missing_folder_loads_nothing(tmp_path):
    assert load_questionnaires(tmp_path) == {}
