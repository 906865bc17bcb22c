"""The camera coach's output contract, `psoas.analysis/1`, as a model: for the JSON Schema
that `psoas schema analysis` publishes and for tests that hold every analysis to it. The
coach itself builds plain dicts (psoas/core/coach/analysis.py, tens of thousands of frames
a second); this model is the contract they are held to. Exercise and fault ids are enums
from the catalog, so a new coached exercise in YAML is a new allowed id with no code."""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from psoas.core.content.loader import Catalog, catalog
from psoas.core.content.models import Coached

ANALYSIS_SCHEMA = "psoas.analysis/1"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RepDetail(_Out):
    start_s: float = Field(description="When the body left the rest position, seconds.")
    end_s: float = Field(description="When it was back at rest.")
    rom_deg: float = Field(ge=0, description="Range of the exercise's angle in the rep.")
    tempo_s: float = Field(gt=0, description="end_s - start_s.")


class Hold(_Out):
    start_s: float
    end_s: float
    seconds: float = Field(ge=0, description="Time in position, short drop-outs included.")


def build_analysis_model(cat: Catalog) -> type[BaseModel]:
    coached = [e for e in cat.exercises.values() if isinstance(e.coach, Coached)]
    ExerciseId = Literal[tuple(e.id for e in coached)]  # type: ignore[valid-type]
    fault_ids = sorted({f.id for e in coached for f in e.coach.faults})  # type: ignore[union-attr]
    FaultId = Literal[tuple(fault_ids)]  # type: ignore[valid-type]
    Fault = create_model(
        "Fault",
        __base__=_Out,
        t_s=(float, Field(description="When the fault was first seen, seconds.")),
        rep=(int, Field(ge=1, description="The rep (or hold) under way, from 1.")),
        id=(FaultId, ...),
        message=(str, Field(description="The exercise's own words for the fault.")),
    )

    class Base(_Out):
        @model_validator(mode="after")
        def _consistent(self) -> Any:
            if self.reps != len(self.rep_details):  # type: ignore[attr-defined]
                raise ValueError("reps must equal the number of rep_details")
            if self.person_frames > self.frames:  # type: ignore[attr-defined]
                raise ValueError("person_frames cannot be more than frames")
            return self

    return create_model(
        "Analysis",
        __base__=Base,
        schema_=(Literal["psoas.analysis/1"], Field(alias="schema")),
        exercise=(ExerciseId, ...),
        side=(Literal["left", "right"], ...),
        frames=(int, Field(ge=0)),
        fps=(float, Field(ge=0, description="From the frames' times; 0 with under 2 frames.")),
        person_frames=(int, Field(ge=0, description="Frames in which a person was found.")),
        view=(Literal["side", "front", "unknown"], ...),
        reps=(int, Field(ge=0, description="Completed reps; one left unfinished is not.")),
        rep_details=(list[RepDetail], ...),
        holds=(list[Hold], ...),
        faults=(list[Fault], ...),  # type: ignore[valid-type]
        warnings=(list[str], Field(description="What the camera could not see, in words.")),
    )


@functools.cache
def analysis_model() -> type[BaseModel]:
    return build_analysis_model(catalog())


def analysis_json_schema() -> dict[str, Any]:
    schema = analysis_model().model_json_schema(by_alias=True)
    schema["$id"] = "https://psoas.app/schema/analysis-1.json"
    schema["title"] = "psoas camera-coach analysis (psoas.analysis/1)"
    return schema
