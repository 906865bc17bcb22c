"""Pydantic models for the content catalog.

Content is data: every exercise, education topic, screening question, condition rule and
self-test lives in YAML beside this file and is checked against these models when it is
loaded, so a typo in a file is caught at start-up (and in the tests), never mid-session.

Movement attributes (position, hip flexion past 90 degrees, and so on) are fields of the
exercise, so that safety rules can act on what a movement does rather than on lists of ids.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Kind = Literal["stretch", "strength", "release"]
Position = Literal[
    "supine", "prone", "side_lying", "kneeling", "standing", "seated", "quadruped", "plank"
]
Side = Literal["each", "both", "none"]
Effort = Literal["light", "moderate", "hard"]
Equipment = Literal[
    "mat", "pad", "chair", "table", "stability_ball", "foam_roller", "ankle_weights"
]
Grade = Literal["supported", "mixed", "unsupported"]
Level = Literal["emergency", "urgent", "routine"]
Classification = Literal["tight", "weak", "tight_and_weak", "unclear"]
Target = Literal[
    "iliopsoas",
    "rectus_femoris",
    "tensor_fasciae_latae",
    "adductors",
    "gluteus_maximus",
    "gluteus_medius",
    "hip_external_rotators",
    "hamstrings",
    "quadriceps",
    "abdominals",
    "back_extensors",
    "pelvic_floor",
]
Joint = Literal[
    "trunk",
    "neck",
    "hip_left",
    "hip_right",
    "knee_left",
    "knee_right",
    "ankle_left",
    "ankle_right",
    "shoulder_left",
    "shoulder_right",
    "elbow_left",
    "elbow_right",
    "hip_abduction_left",
    "hip_abduction_right",
]

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, Field(min_length=2, max_length=600)]

# Movement attributes that rules may match on, besides `kind` and `equipment`.
MOVEMENT_FIELDS = (
    "position",
    "on_floor",
    "knee_on_ground",
    "hip_flexion_past_90",
    "hip_adduction_past_midline",
    "hip_internal_rotation",
    "hip_extension_past_neutral",
    "hip_external_rotation",
    "spinal_flexion_loaded",
    "spinal_rotation_end_range",
    "spinal_flexion_end_range",
    "hip_flexion_to_90",
    "hip_abduction_loaded",
    "needs_balance",
    "hard_transition",
    "effort",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """Where a fact came from. `fact` names the figure or claim the source backs."""

    title: Text
    url: str | None = None
    fact: Text


class Range(Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not be more than max ({self.max})")
        return self


class Movement(Strict):
    """What the body does in the exercise; safety rules read these, not exercise ids."""

    position: Position
    on_floor: bool
    knee_on_ground: bool
    hip_flexion_past_90: bool
    hip_adduction_past_midline: bool
    hip_internal_rotation: bool
    hip_extension_past_neutral: bool
    hip_external_rotation: bool
    spinal_flexion_loaded: bool
    spinal_rotation_end_range: bool
    # Rolling back with both knees hugged (end-range trunk flexion), which thin bones avoid.
    spinal_flexion_end_range: bool
    # The thigh comes up to about level: the posterior hip precaution's own limit.
    hip_flexion_to_90: bool
    # The leg lifts out to the side against gravity (lateral hip approach avoids it).
    hip_abduction_loaded: bool
    # Split stance or one leg without holding on, or an unstable surface.
    needs_balance: bool
    # Getting into or out of it takes a deep, unsupported or tricky move.
    hard_transition: bool
    effort: Effort


class Dosing(Strict):
    """Ranges from the sources. The planner starts at `min` and never leaves the range.

    For a stretch or release `hold_s` is the length of one hold. For a strength exercise
    `reps` is required, `tempo_s` is the time of one rep without the pause, and `hold_s`
    (optional) is the pause at the top of each rep.
    """

    sets: Range
    reps: Range | None = None
    hold_s: Range | None = None
    tempo_s: float | None = Field(default=None, gt=0, le=20)
    rest_s: int = Field(ge=0, le=300)
    sides: Side
    days_per_week: Range

    @model_validator(mode="after")
    def _reps_need_tempo(self) -> Dosing:
        if self.reps is not None and self.tempo_s is None:
            raise ValueError("tempo_s is required when reps are given")
        if self.reps is None and self.hold_s is None:
            raise ValueError("give reps or hold_s (or both)")
        if self.days_per_week.max > 7:
            raise ValueError("days_per_week.max must be 7 or less")
        return self


class Pose(Strict):
    """A key pose of the illustration: the base the figure rests on and joint angles in degrees.

    Angles: trunk from vertical (forward +); hip flexion + / extension -; knee flexion +;
    shoulder flexion + (arm forward and up); hip abduction + (leg out to the side).
    """

    base: Literal[
        "standing",
        "lying_back",
        "lying_front",
        "lying_side",
        "kneeling",
        "half_kneeling",
        "seated",
        "hands_knees",
        "table_edge",
    ]
    joints: dict[Joint, float]

    @field_validator("joints")
    @classmethod
    def _angles(cls, v: dict[str, float]) -> dict[str, float]:
        for name, angle in v.items():
            if not -180 <= angle <= 180:
                raise ValueError(f"{name} angle {angle} is outside -180..180")
        return v


class Illustration(Strict):
    view: Literal["side", "front", "top"]
    start: Pose
    end: Pose
    caption: Text


CoachAngleName = Literal[
    "knee_flexion", "hip_flexion", "trunk", "shin_tilt", "thigh_spread", "side_lean", "hip_tilt"
]
# Which leg an angle reads. The pictures always work the right leg, so `side` is the leg the
# person works (the figure's right), `other` the second one; `most` and `least` take the
# larger or smaller value of the legs the camera sees, `both` their mean, and `difference`
# the working leg's value minus the other's (a small lift seen against the still leg).
CoachLeg = Literal["side", "other", "most", "least", "both", "difference"]
_LEG_ANGLES = {"knee_flexion", "hip_flexion", "shin_tilt"}
_WORLD_ANGLES = {"knee_flexion", "hip_flexion", "trunk"}
# A body part the camera must see: alone, either side will do; `_side` is the working side,
# `_other` the second one, `_both` both.
CoachPart = Annotated[
    str,
    Field(pattern=r"^(ear|shoulder|elbow|wrist|hip|knee|ankle|heel|toe)(_side|_other|_both)?$"),
]


class CoachAngle(Strict):
    """A measured angle, in the figure's convention (docs/figure.md, docs/coach.md)."""

    name: CoachAngleName
    leg: CoachLeg | None = None
    space: Literal["image", "world"] = "image"

    @model_validator(mode="after")
    def _leg_fits(self) -> CoachAngle:
        if (self.name in _LEG_ANGLES) != (self.leg is not None):
            need = "needs" if self.name in _LEG_ANGLES else "takes no"
            raise ValueError(f"{self.name} {need} a leg")
        if self.space == "world" and self.name not in _WORLD_ANGLES:
            raise ValueError(f"{self.name} is measured in the image only")
        return self


class CoachFault(Strict):
    """A form fault as an angle rule: `angle` past `above` or `below` is the fault that
    `common_fault` (an index into the exercise's common_faults, from 0) names."""

    id: Id
    common_fault: int = Field(ge=0)
    angle: CoachAngle
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _one_limit(self) -> CoachFault:
        if (self.above is None) == (self.below is None):
            raise ValueError("give above or below, not both")
        return self


class Coached(Strict):
    """How the camera coach counts and judges an exercise (docs/coach.md).

    `mode: reps`: a rep starts when `angle` leaves its rest side of `exit`, is under way
    once it passes `enter`, and counts when it comes back past `exit`, if it took at least
    `min_rep_s`. `mode: hold`: the hold runs while `angle` is past `enter` (until it comes
    back past `exit`) and no fault is showing; drop-outs shorter than `grace_s` do not end
    it, and holds shorter than `min_hold_s` are not reported. If `enter` > `exit`
    the angle rises into the movement, else it falls.
    """

    coachable: Literal[True]
    view: Literal["side", "front"]
    mode: Literal["reps", "hold"]
    angle: CoachAngle
    enter: float = Field(ge=-180, le=180)
    exit: float = Field(ge=-180, le=180)
    min_rep_s: float | None = Field(default=None, gt=0, le=20)
    min_hold_s: float = Field(default=3.0, gt=0, le=60)
    grace_s: float = Field(default=1.0, ge=0, le=5)
    see: list[CoachPart] = Field(min_length=1)
    faults: list[CoachFault] = []

    @model_validator(mode="after")
    def _consistent(self) -> Coached:
        if abs(self.enter - self.exit) < 5:
            raise ValueError("enter and exit must be at least 5 degrees apart (hysteresis)")
        if (self.mode == "reps") != (self.min_rep_s is not None):
            raise ValueError("min_rep_s goes with mode reps, and only with it")
        ids = [f.id for f in self.faults]
        if len(ids) != len(set(ids)):
            raise ValueError(f"fault ids appear twice: {ids}")
        return self


class NotCoached(Strict):
    """An exercise the camera cannot coach, and why, in words for the person."""

    coachable: Literal[False]
    why: Text


Coach = Annotated[Coached | NotCoached, Field(discriminator="coachable")]


class Exercise(Strict):
    id: Id
    name: Text
    also_called: list[str] = []
    kind: Kind
    # Exercises of one family do the same job (two lunge-type stretches, two knee lifts):
    # a session never holds two of a family.
    family: Id
    # Set when no plan picks the exercise: why, for the exercise page. The planner never
    # chooses such an exercise, as a slot, a swap or a harder version.
    library_note: Text | None = None
    summary: Text
    targets: list[Target] = Field(min_length=1)
    target_note: Text
    movement: Movement
    equipment: list[Equipment] = []
    optional_equipment: list[Equipment] = []
    dosing: Dosing
    steps: list[Text] = Field(min_length=3)
    cues: list[Text] = Field(min_length=2)
    breathing: Text
    common_faults: list[Text] = Field(min_length=2)
    stop_signs: list[Text] = Field(min_length=2)
    contraindications: list[Id] = []
    precautions: list[Text] = []
    substitutes: list[Id] = []
    progressions: list[Id] = []
    regressions: list[Id] = []
    illustration: Illustration
    coach: Coach
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        if self.kind == "strength" and self.dosing.reps is None:
            raise ValueError("a strength exercise needs dosing.reps")
        if self.kind in ("stretch", "release") and self.dosing.hold_s is None:
            raise ValueError(f"a {self.kind} needs dosing.hold_s")
        if self.kind == "release" and "foam_roller" not in self.equipment:
            raise ValueError("a release exercise needs foam_roller in equipment")
        if self.id in self.substitutes + self.progressions + self.regressions:
            raise ValueError("an exercise cannot list itself as a substitute or variant")
        if set(self.equipment) & set(self.optional_equipment):
            raise ValueError("equipment and optional_equipment overlap")
        if isinstance(self.coach, Coached):
            for fault in self.coach.faults:
                if fault.common_fault >= len(self.common_faults):
                    raise ValueError(
                        f"coach fault {fault.id}: common_fault {fault.common_fault} is not an"
                        f" index of common_faults (0..{len(self.common_faults) - 1})"
                    )
            if (self.coach.mode == "reps") != (self.kind == "strength"):
                raise ValueError("coach mode is reps for a strength exercise, hold otherwise")
        return self

    @functools.cached_property
    def attributes(self) -> dict[str, Any]:
        """The flat view that rule matching reads (computed once per exercise)."""
        attrs = self.movement.model_dump()
        attrs["kind"] = self.kind
        attrs["equipment"] = tuple(self.equipment)
        attrs["id"] = self.id
        attrs["targets"] = tuple(self.targets)
        return attrs


def check_match(v: dict[str, Any]) -> dict[str, Any]:
    """A rule's `match` may name only attributes that exercises have."""
    allowed = {*MOVEMENT_FIELDS, "kind", "equipment", "id", "targets"}
    unknown = sorted(set(v) - allowed)
    if unknown:
        raise ValueError(f"unknown match key(s) {unknown}; allowed: {sorted(allowed)}")
    if not v:
        raise ValueError("match must name at least one attribute")
    return v


class Rule(Strict):
    """Forbids every exercise whose attributes match all keys of `match`.

    A value may be a scalar (equal) or a list (any of). `equipment` matches when the
    exercise needs that piece of equipment, `targets` when it works any muscle named.
    """

    match: dict[str, Any]
    reason: Text

    _known_keys = field_validator("match")(lambda v: check_match(v))


class Modifiers(Strict):
    """Changes to dosing that a condition asks for, beyond removing exercises."""

    cap_stretch_intensity: bool = False  # stretch to mild tension only
    hold_stretch_progression: bool = False  # stretch holds and sets stay at week 1
    favour_strength: bool = False  # strengthening comes before stretching in priority
    no_added_weight: bool = False  # no ankle weights while the condition applies
    skip_self_tests: list[Id] = []


class Note(Strict):
    """A limit that keeps an exercise but changes how it is done, said in its `why`."""

    match: dict[str, Any]
    note: Text

    _known_keys = field_validator("match")(lambda v: check_match(v))


class Condition(Strict):
    id: Id
    name: Text
    question: Text
    explain: Text
    forbids: list[Rule] = []
    notes: list[Note] = []
    modifiers: Modifiers = Modifiers()
    caution: Text | None = None
    # A condition that ends: its rules lift in the plan week when the weeks since it began
    # (the profile field `weeks_field`) reach this number. Without the field it lasts.
    lifts_after_weeks: int | None = Field(default=None, ge=1, le=104)
    weeks_field: Id | None = None
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _lifting(self) -> Condition:
        if (self.lifts_after_weeks is None) != (self.weeks_field is None):
            raise ValueError("lifts_after_weeks and weeks_field go together")
        return self


class Limit(Strict):
    id: Id
    name: Text
    question: Text
    forbids: list[Rule] = Field(min_length=1)


class RedFlag(Strict):
    id: Id
    question: Text
    why: Text
    level: Level
    group: Literal["back", "hip", "nerve", "general", "pregnancy"]
    every_session: bool = False
    ask_when: Literal[
        "always", "age_50_plus", "had_cancer", "pregnant", "postpartum", "recent_surgery"
    ] = "always"
    sources: list[Source] = Field(min_length=1)


class ReferralMessage(Strict):
    level: Level
    title: Text
    message: Text


class PregnancyRules(Strict):
    supine_from_week: int = Field(ge=1, le=42)
    forbids_any_week: list[Rule]
    forbids_from_supine_week: list[Rule]
    postpartum_gentle_until_week: int = Field(ge=0, le=52)
    postpartum_forbids: list[Rule]
    caution: Text
    postpartum_caution: Text
    sources: list[Source] = Field(min_length=1)


class SteadinessRules(Strict):
    """Supported variants for older or unsteady people (PRODUCT.md safety rules): with poor
    balance, from `older_from_age` when balance is not known, or with a condition listed
    here, `forbids` applies;
    poor balance adds `poor_balance_forbids` (no floor work they cannot get up from)."""

    older_from_age: int = Field(ge=18, le=120)
    with_conditions: list[Id] = []
    forbids: list[Rule] = Field(min_length=1)
    poor_balance_forbids: list[Rule] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)


class Screening(Strict):
    red_flags: list[RedFlag] = Field(min_length=1)
    referral_messages: list[ReferralMessage] = Field(min_length=3)
    pain_caution_at: int = Field(ge=0, le=10)
    pain_caution: Text
    min_age: int = Field(ge=0)
    min_age_message: Text
    no_safe_program_message: Text
    sources: list[Source] = Field(min_length=1)


class SelfTest(Strict):
    id: Id
    name: Text
    purpose: Text
    needs: list[Text] = []
    steps: list[Text] = Field(min_length=3)
    record: list[Text] = Field(min_length=1)
    how_to_read: list[Text] = Field(min_length=1)
    stop_signs: list[Text] = Field(min_length=1)
    limits_of_test: Text
    illustration: Illustration
    sources: list[Source] = Field(min_length=1)


class Claim(Strict):
    id: Id
    claim: Text
    grade: Grade
    verdict: Text
    explanation: Text
    sources: list[Source] = Field(min_length=1)


class Section(Strict):
    heading: Text
    body: Annotated[str, Field(min_length=2, max_length=2500)]


class Topic(Strict):
    id: Id
    title: Text
    summary: Text
    sections: list[Section] = Field(min_length=1)
    claims: list[Claim] = []
    sources: list[Source] = Field(min_length=1)


class ProgramSlot(Strict):
    exercise: Id
    why: Text


class ActivitySlot(Strict):
    """An exercise that a sport or activity adds at the end of a program."""

    activities: list[Id] = Field(min_length=1)
    exercise: Id
    why: Text
    source: Text


class Program(Strict):
    """An ordered wish-list of exercises for one classification, or for a stage that
    overrides it (the first weeks after a birth): first is most important."""

    classification: Classification | None = None
    stage: Literal["postpartum_early"] | None = None
    summary: Text
    slots: list[ProgramSlot] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_key(self) -> Program:
        if (self.classification is None) == (self.stage is None):
            raise ValueError("give a classification or a stage, not both")
        return self

    @property
    def key(self) -> str:
        return self.classification or self.stage  # type: ignore[return-value]
