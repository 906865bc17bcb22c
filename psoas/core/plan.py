"""The planner's output contract, `psoas.plan/1`, as a model: for the JSON Schema that
`psoas schema plan` publishes and for tests that check every plan against it. The planner
itself builds plain dicts (it must make thousands of plans a second); this model is the
contract they are held to."""

from __future__ import annotations

import datetime
import functools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from psoas.core.content.loader import Catalog, catalog
from psoas.core.content.models import Classification, Equipment, Kind, Level, Position, Side


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ReferralReason(_Out):
    id: str
    level: Level
    question: str
    why: str


class Referral(_Out):
    level: Level
    title: str
    message: str
    reasons: list[ReferralReason] = Field(min_length=1)


class Frequency(_Out):
    days_per_week: int = Field(ge=1, le=7)
    why: str


class Excluded(_Out):
    id: str
    reason: str


class Substitution(_Out):
    from_: str = Field(alias="from")
    to: str
    reason: str


class Block(_Out):
    """A later block of the program (issue 16): its number (2 for the second) and kind.
    A first block has no `block`."""

    number: int = Field(ge=2)
    kind: Literal["progress", "maintain"]


class Caution(_Out):
    id: str
    message: str


class RecordedOverride(_Out):
    """A safety rule a clinician overruled for this exercise, and why (planning/checks.py
    says which rules a clinician may overrule)."""

    rule: str
    reason: str = Field(min_length=1)


class ClinicianChoice(_Out):
    """Set on an exercise a clinician added, swapped in or re-dosed (planning/edits.py):
    the patient is told it is their clinician's choice, with the reason."""

    reason: str = Field(min_length=1)
    overrides: list[RecordedOverride] = []


def build_plan_model(cat: Catalog) -> type[BaseModel]:
    ExerciseId = Literal[tuple(cat.exercises)]  # type: ignore[valid-type]
    PlanExercise = create_model(
        "PlanExercise",
        __base__=_Out,
        id=(ExerciseId, ...),
        slot=(ExerciseId, Field(description="The id this exercise's run started with.")),
        name=(str, ...),
        kind=(Kind, ...),
        position=(Position, ...),
        equipment=(list[Equipment], ...),
        side=(Side, ...),
        sets=(int, Field(ge=1)),
        reps=(int | None, Field(ge=1)),
        hold_s=(int | None, Field(ge=1)),
        tempo_s=(float | None, Field(gt=0)),
        rest_s=(int, Field(ge=0)),
        focus_side=(
            Literal["left", "right"] | None,
            Field(description="One more set on this side, which tested worse."),
        ),
        why=(str, ...),
        clinician=(
            ClinicianChoice | None,
            Field(default=None, description="Set when a clinician chose this exercise or dose."),
        ),
    )
    Session = create_model(
        "Session",
        __base__=_Out,
        name=(str, ...),
        times_per_week=(int, Field(ge=1, le=7)),
        estimated_minutes=(float, Field(gt=0)),
        exercises=(list[PlanExercise], Field(min_length=1)),
    )
    Week = create_model(
        "Week",
        __base__=_Out,
        week=(int, Field(ge=1, le=6)),
        sessions=(list[Session], Field(min_length=1)),
    )
    Subst = create_model(
        "Substitution",
        __base__=Substitution,
        from_=(ExerciseId, Field(alias="from")),
        to=(ExerciseId, ...),
    )
    Excl = create_model("Excluded", __base__=Excluded, id=(ExerciseId, ...))
    return create_model(
        "Plan",
        __base__=_Out,
        schema_=(Literal["psoas.plan/1"], Field(alias="schema")),
        status=(Literal["ok", "refer"], ...),
        classification=(Classification, ...),
        classification_why=(list[str], ...),
        frequency=(Frequency | None, ...),
        weeks=(list[Week], ...),
        excluded=(list[Excl], ...),
        substitutions=(list[Subst], ...),
        cautions=(list[Caution], ...),
        referral=(Referral | None, ...),
        block=(
            Block | None,
            Field(default=None, description="A later block: its number and kind."),
        ),
        start_date=(
            datetime.date | None,
            Field(default=None, description="The first day, when a clinician set it."),
        ),
        review_date=(
            datetime.date | None,
            Field(default=None, description="When the clinician reviews the program."),
        ),
    )


@functools.cache
def plan_model() -> type[BaseModel]:
    return build_plan_model(catalog())


def plan_json_schema() -> dict[str, Any]:
    schema = plan_model().model_json_schema(by_alias=True)
    schema["$id"] = "https://psoas.app/schema/plan-1.json"
    schema["title"] = "psoas plan (psoas.plan/1)"
    return schema
