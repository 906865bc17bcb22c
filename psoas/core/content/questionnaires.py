"""Questionnaires as content: the model of a questionnaire file and its loader.

A questionnaire is data so that a clinic holding a licence can add the Oswestry index, the
Roland-Morris questionnaire or STarT Back as one YAML file and no code: their scoring
methods are built in (`psoas.core.scoring`), and only their item text is licensed. The
project ships the free ones only, NPRS and PSFS (research/clinical.md 6, docs/outcomes.md).

Checks that compare fields are field validators on the later field (pydantic validates in
field order), so a broken file names the field to fix rather than the whole file.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from psoas.core.content.loader import data_root, one_per_file
from psoas.core.content.models import Id, Range, Source, Strict, Text
from psoas.core.content.readability import MOVING, join_sentences

ScoringMethod = Literal["single", "mean", "percent_of_max", "count_ticked", "startback"]
Direction = Literal["higher_is_worse", "higher_is_better"]
STARTBACK_ITEMS = 9  # the Keele tool has nine items; items 5-9 form the distress subscale


class IntegerScale(Strict):
    """A whole number from `min` to `max`; `anchors` say what some numbers mean (both ends)."""

    type: Literal["integer_scale"]
    min: int = Field(ge=0)
    max: int = Field(ge=1)
    anchors: dict[int, Text]

    @model_validator(mode="after")
    def _ends_labelled(self) -> IntegerScale:
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be less than max ({self.max})")
        if {self.min, self.max} - set(self.anchors):
            raise ValueError("anchors must label both ends of the scale")
        outside = sorted(k for k in self.anchors if not self.min <= k <= self.max)
        if outside:
            raise ValueError(f"anchors {outside} are outside {self.min}..{self.max}")
        return self


class Option(Strict):
    id: Id
    text: Text
    score: int = Field(ge=0)


class Choice(Strict):
    """One option out of several, each with its score (ODI statements, STarT Back agree)."""

    type: Literal["choice"]
    options: list[Option] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _unique(cls, v: list[Option]) -> list[Option]:
        ids = [o.id for o in v]
        if len(set(ids)) != len(ids):
            raise ValueError(f"option ids repeat: {ids}")
        return v


class Tick(Strict):
    """Ticked when it applies; unticked scores 0. The RMDQ asks for ticks, not yes/no."""

    type: Literal["tick"]


class FreeText(Strict):
    """Words the person writes, such as a PSFS activity. Never scored."""

    type: Literal["free_text"]
    max_length: int = Field(default=80, ge=1, le=200)


Answer = Annotated[IntegerScale | Choice | Tick | FreeText, Field(discriminator="type")]


class Item(Strict):
    id: Id
    text: Text
    answer: Answer
    # For a rating of something the person named (a PSFS activity): the free-text item
    # that holds the name, so the name can be shown back at follow-up.
    label_item: Id | None = None

    @property
    def scored(self) -> bool:
        return self.answer.type != "free_text"

    @property
    def lowest(self) -> int:
        """Lowest score of a scored item (a tick scores 0 or 1)."""
        a = self.answer
        if isinstance(a, IntegerScale):
            return a.min
        return min(o.score for o in a.options) if isinstance(a, Choice) else 0

    @property
    def highest(self) -> int:
        a = self.answer
        if isinstance(a, IntegerScale):
            return a.max
        return max(o.score for o in a.options) if isinstance(a, Choice) else 1


class Scoring(Strict):
    """How answers become one number.

    `min_answered` is the fewest scored items that make a complete score (default: all);
    the ODI asks for 8 of 10 sections and the PSFS for 3 of 5 activities. `count_ticked`
    has none, because an unticked item is an answer there ("does not apply").
    """

    method: ScoringMethod
    min_answered: int | None = Field(default=None, ge=1)


class MinimalChange(Strict):
    """The smallest change that matters: `mcid` (people notice it) or `mdc` (beyond noise).

    `points` and `percent` are alternatives (NPRS: 2 points or 30 %); `item_points` is the
    figure for one item on its own (PSFS: 3 for a single activity).
    """

    kind: Literal["mcid", "mdc"]
    points: float | None = Field(default=None, gt=0)
    percent: float | None = Field(default=None, gt=0, le=100)
    item_points: float | None = Field(default=None, gt=0)
    source: Source

    @model_validator(mode="after")
    def _some_figure(self) -> MinimalChange:
        if self.points is None and self.percent is None:
            raise ValueError("give points, percent or both")
        return self


class Band(Strict):
    """Scores up to and including `up_to` (and above the band before) read as `label`."""

    up_to: float
    label: Text


class Questionnaire(Strict):
    id: Id
    name: Text
    score_name: Text  # what the score is about, for sentences: "Your pain is ..."
    version: Text
    licence: Text
    recall_period: Text
    loinc: str | None = Field(default=None, pattern=r"^\d{1,7}-\d$")
    instructions: Text | None = None
    items: list[Item] = Field(min_length=1)
    scoring: Scoring
    direction: Direction
    range: Range
    minimal_change: MinimalChange | None = None
    bands: list[Band] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _items(cls, v: list[Item]) -> list[Item]:
        ids = [i.id for i in v]
        if len(set(ids)) != len(ids):
            raise ValueError(f"item ids repeat: {ids}")
        kinds = {i.id: i.answer.type for i in v}
        for i in v:
            if i.label_item is not None and kinds.get(i.label_item) != "free_text":
                raise ValueError(f"item {i.id}: label_item must name a free_text item")
        if not any(i.scored for i in v):
            raise ValueError("needs at least one scored item (not free_text)")
        return v

    @field_validator("scoring")
    @classmethod
    def _scoring_fits_items(cls, v: Scoring, info: ValidationInfo) -> Scoring:
        if "items" not in info.data:
            return v  # items are broken; that error is reported on its own
        scored = [i for i in info.data["items"] if i.scored]
        types = {i.answer.type for i in scored}
        problem = _method_problem(v.method, scored, types)
        if problem:
            raise ValueError(f"method {v.method}: {problem}")
        if v.method == "count_ticked" and v.min_answered is not None:
            raise ValueError("min_answered does not apply to count_ticked")
        if v.min_answered is not None and v.min_answered > len(scored):
            raise ValueError(f"min_answered {v.min_answered} is more than {len(scored)} items")
        return v

    @field_validator("range")
    @classmethod
    def _range_fits_scoring(cls, v: Range, info: ValidationInfo) -> Range:
        if "items" not in info.data or "scoring" not in info.data:
            return v
        scored = [i for i in info.data["items"] if i.scored]
        low, high = score_range(info.data["scoring"].method, scored)
        if (v.min, v.max) != (low, high):
            raise ValueError(f"must be {low}..{high} for this scoring, not {v.min}..{v.max}")
        return v

    @field_validator("bands")
    @classmethod
    def _bands_cover_range(cls, v: list[Band], info: ValidationInfo) -> list[Band]:
        if not v or "range" not in info.data or "scoring" not in info.data:
            return v
        if info.data["scoring"].method == "startback":
            raise ValueError("startback sets its own risk groups; leave bands out")
        tops = [b.up_to for b in v]
        if tops != sorted(set(tops)) or tops[-1] != info.data["range"].max:
            raise ValueError("up_to must rise and the last must be the top of the range")
        return v

    @property
    def scored_items(self) -> list[Item]:
        return [i for i in self.items if i.scored]

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def needed(self) -> int:
        """How many scored items a complete score needs."""
        if self.scoring.method == "count_ticked":
            return 0
        return self.scoring.min_answered or len(self.scored_items)


def _method_problem(method: str, scored: list[Item], types: set[str]) -> str | None:
    if method == "single" and (len(scored) != 1 or types == {"tick"}):
        return "needs exactly one scale or choice item"
    if method in ("mean", "percent_of_max") and "tick" in types:
        return "tick items cannot be averaged; use count_ticked"
    if method == "percent_of_max" and any(i.lowest != 0 or i.highest == 0 for i in scored):
        return "every item must score from 0 and above 0"
    if method == "count_ticked" and types != {"tick"}:
        return "every scored item must be a tick item"
    if method == "startback":
        if len(scored) != STARTBACK_ITEMS or types != {"choice"}:
            return f"needs exactly {STARTBACK_ITEMS} choice items, in the tool's order"
        if any(o.score not in (0, 1) for i in scored for o in i.answer.options):
            return "every option must score 0 or 1"
    return None


def score_range(method: str, scored: list[Item]) -> tuple[int, int]:
    """The lowest and highest score a method can give over these items."""
    if method == "percent_of_max":
        return 0, 100
    if method in ("count_ticked", "startback"):
        return 0, len(scored)
    return min(i.lowest for i in scored), max(i.highest for i in scored)


def reading_groups(q: Questionnaire) -> Iterator[tuple[str, str, int]]:
    """Yield (label, text, highest allowed grade) for what a person reads while answering.

    Item texts are measured together with their answer labels, as readability.groups does
    for other content: Flesch-Kincaid is noisy on one short sentence.
    """
    if q.instructions:
        yield "instructions", q.instructions, MOVING
    for i in q.items:
        a = i.answer
        labels = list(a.anchors.values()) if isinstance(a, IntegerScale) else []
        labels += [o.text for o in a.options] if isinstance(a, Choice) else []
        yield f"item {i.id}", join_sentences([i.text, *labels]), MOVING


def load_questionnaires(root: Path | None = None) -> dict[str, Questionnaire]:
    """Read `questionnaires/*.yaml` under `root` (the packaged data by default).

    A broken file raises `ContentError` naming the file, the questionnaire id and the field;
    the file name must be the id.
    """
    root = root or data_root()
    return one_per_file(root / "questionnaires", Questionnaire, root)


@functools.cache
def questionnaires() -> dict[str, Questionnaire]:
    """The packaged questionnaires, loaded once per process."""
    return load_questionnaires()
