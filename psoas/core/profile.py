"""The planner's input: the person's profile, `psoas.profile/1` (PRODUCT.md, stable contracts).

The ids a profile may use (red flags, conditions, limits) come from the content catalog, so
the JSON Schema lists each as an enum and a new condition in YAML is a new allowed id with
no code change. Validation is strict: a wrong type or an unknown field is an error, never
silently coerced, because a misread profile could produce an unsafe plan.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from psoas.core.content.loader import Catalog, catalog
from psoas.core.content.models import Equipment

PROFILE_SCHEMA = "psoas.profile/1"
ACTIVITIES = (
    "running",
    "cycling",
    "lifting",
    "yoga",
    "pilates",
    "walking",
    "swimming",
    "team_sports",
    "dance",
    "climbing",
    "martial_arts",
    "rowing",
    "hiking",
    "other",
)
DEFAULT_MINUTES = 15
HIP_CONDITIONS = (
    "hip_replacement_posterior",
    "hip_replacement_lateral",
    "hip_replacement_anterior",
)
# Where the hip replacement's cut was, as both shells ask it; "unsure" takes the rules of
# every approach (research/clinical.md 2.3: unknown approach, all precautions).
HIP_APPROACHES = {
    "no": [],
    "front": ["hip_replacement_anterior"],
    "side": ["hip_replacement_lateral"],
    "back": ["hip_replacement_posterior"],
    "unsure": list(HIP_CONDITIONS),
}
HIP_WEEKS_MAX = 520
BALANCE_QUESTION = (
    "Can you stand on one leg for 10 seconds, and get down to the floor and back up without help?"
)
MIN_MINUTES, MAX_MINUTES = 5, 120


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ThomasTest(_Strict):
    left: Literal["negative", "positive"] | None = None
    right: Literal["negative", "positive"] | None = None


class HoldTest(_Strict):
    left: float | None = Field(default=None, ge=0, le=300)
    right: float | None = Field(default=None, ge=0, le=300)


class Assessment(_Strict):
    thomas_test: ThomasTest | None = None
    hip_flexor_hold_s: HoldTest | None = None


class Pain(_Strict):
    nprs: int = Field(ge=0, le=10)


def _enum(values: list[str]) -> Any:
    return Literal[tuple(values)]  # type: ignore[valid-type]


class ProfileBase(_Strict):
    """Shared checks; the id-typed fields are added by `profile_model()`."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_of_pregnant_postpartum(self) -> ProfileBase:
        if self.pregnancy_weeks is not None and self.postpartum_weeks is not None:  # type: ignore[attr-defined]
            raise ValueError("give pregnancy_weeks or postpartum_weeks, not both")
        hip = [c for c in self.conditions if c.startswith("hip_replacement_")]  # type: ignore[attr-defined]
        if self.hip_replacement_weeks is not None and not hip:  # type: ignore[attr-defined]
            raise ValueError(
                "hip_replacement_weeks goes with a hip_replacement_posterior, _lateral or "
                "_anterior condition"
            )
        return self


def build_profile_model(cat: Catalog) -> type[ProfileBase]:
    fields: dict[str, Any] = {
        "schema_": (Literal["psoas.profile/1"], Field(alias="schema")),
        "age": (int | None, Field(default=None, ge=0, le=120)),
        "pregnancy_weeks": (int | None, Field(default=None, ge=0, le=42)),
        "postpartum_weeks": (int | None, Field(default=None, ge=0, le=104)),
        "red_flags": (list[_enum([f.id for f in cat.screening.red_flags])], []),
        "conditions": (list[_enum(list(cat.conditions))], []),
        "limits": (list[_enum(list(cat.limits))], []),
        "equipment": (list[Equipment], []),
        "minutes_per_session": (int | None, Field(default=None, ge=MIN_MINUTES, le=MAX_MINUTES)),
        "sitting_hours_per_day": (float | None, Field(default=None, ge=0, le=24)),
        "activities": (list[_enum(list(ACTIVITIES))], []),
        "assessment": (Assessment | None, None),
        "pain": (Pain | None, None),
        "balance": (Literal["good", "poor"] | None, None),
        "hip_replacement_weeks": (int | None, Field(default=None, ge=0, le=HIP_WEEKS_MAX)),
    }
    return create_model("Profile", __base__=ProfileBase, **fields)


@functools.cache
def profile_model() -> type[ProfileBase]:
    return build_profile_model(catalog())


class ProfileError(ValueError):
    """Bad profile input, with one line that names the field and what is allowed."""


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + ("schema" if part == "schema_" else str(part))
    return out


def describe(exc: ValidationError, what: str = "profile") -> str:
    """One line for the first error: the field, what is wrong and what is allowed."""
    err = exc.errors()[0]
    field = _loc(err["loc"])
    kind = err["type"]
    got = err.get("input")
    if kind == "extra_forbidden":
        allowed = ", ".join(sorted(profile_model().model_json_schema()["properties"]))
        return f"{what}: unknown field '{field}'; allowed fields: {allowed}"
    if kind == "missing":
        return f"{what}: field '{field}' is required"
    msg = err["msg"]
    if kind == "literal_error":
        msg = msg.replace("Input should be", "must be one of")
    elif kind.startswith(("greater", "less")) or kind.endswith(("_type", "_parsing")):
        msg = msg.replace("Input should be", "must be") + f" (got {got!r})"
    elif kind == "value_error":
        msg = msg.removeprefix("Value error, ")
    where = f"field '{field}'" if field else "profile"
    return f"{what}: {where}: {msg}"


def parse_profile(data: Any) -> ProfileBase:
    """Validate a decoded JSON object; raises ProfileError with a one-line message."""
    if not isinstance(data, dict):
        raise ProfileError('profile: must be a JSON object, like {"schema": "psoas.profile/1"}')
    if "schema" not in data:
        raise ProfileError(f"profile: field 'schema' is required and must be '{PROFILE_SCHEMA}'")
    try:
        return profile_model().model_validate(data)
    except ValidationError as exc:
        raise ProfileError(describe(exc)) from None


def load_profile_text(text: str) -> ProfileBase:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(
            f"profile: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    return parse_profile(data)


def profile_json_schema() -> dict[str, Any]:
    schema = profile_model().model_json_schema(by_alias=True)
    schema["$id"] = "https://psoas.app/schema/profile-1.json"
    schema["title"] = "psoas profile (psoas.profile/1)"
    return schema


def build_profile_data(
    *,
    age: int | None = None,
    pregnancy_weeks: int | None = None,
    postpartum_weeks: int | None = None,
    red_flags: list[str] | None = None,
    conditions: list[str] | None = None,
    limits: list[str] | None = None,
    equipment: list[str] | None = None,
    minutes: int | None = None,
    sitting_hours: float | None = None,
    activities: list[str] | None = None,
    thomas_left: str | None = None,
    thomas_right: str | None = None,
    hold_left: float | None = None,
    hold_right: float | None = None,
    pain: int | None = None,
    balance: str | None = None,
    hip_replacement_weeks: int | None = None,
) -> dict[str, Any]:
    """Answers to the screen (terminal or web) as a profile dict, not yet validated.

    A missing answer is left out rather than guessed; a self-test side answered "skip" is
    left out too. Lists keep their order and lose repeats. `parse_profile` checks the rest.
    """
    data: dict[str, Any] = {"schema": PROFILE_SCHEMA}
    simple = {
        "age": age,
        "pregnancy_weeks": pregnancy_weeks,
        "postpartum_weeks": postpartum_weeks,
        "minutes_per_session": minutes,
        "sitting_hours_per_day": sitting_hours,
        "balance": balance,
        "hip_replacement_weeks": hip_replacement_weeks,
    }
    data.update({k: v for k, v in simple.items() if v is not None})
    for key, value in (
        ("red_flags", red_flags),
        ("conditions", conditions),
        ("limits", limits),
        ("equipment", equipment),
        ("activities", activities),
    ):
        data[key] = list(dict.fromkeys(value or []))
    thomas = {"left": thomas_left, "right": thomas_right}
    thomas = {k: v for k, v in thomas.items() if v not in (None, "skip")}
    hold = {k: v for k, v in {"left": hold_left, "right": hold_right}.items() if v is not None}
    assessment: dict[str, Any] = {}
    if thomas:
        assessment["thomas_test"] = thomas
    if hold:
        assessment["hip_flexor_hold_s"] = hold
    if assessment:
        data["assessment"] = assessment
    if pain is not None:
        data["pain"] = {"nprs": pain}
    return data
