"""Request and response bodies. Requests forbid unknown fields and take ids only from the
content catalog, so a typo is a 422 naming the field instead of a row nobody can read;
free text may not hold a NUL character, which PostgreSQL cannot store.
Plans and sessions go out as the plain JSON the core makes (`psoas.plan/1`): the
contract is published by `psoas schema plan`, not repeated here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from psoas.core.breaks.model import BREAK_MAX, BREAK_MIN, INTERVAL_MAX, INTERVAL_MIN
from psoas.core.content.loader import catalog
from psoas.web.api.common import NotFuture, PlanStart, Score, Text
from psoas.web.breaks.codec import NATURAL_RANGE, SNOOZE_MIN_RANGE, SNOOZES_RANGE

RedFlagId = Literal[tuple(catalog().red_flags)]  # type: ignore[valid-type]
ExerciseId = Literal[tuple(catalog().exercises)]  # type: ignore[valid-type]
Effort = Literal["too_easy", "about_right", "too_hard"]
Reps = Annotated[int, Field(strict=True, ge=0, le=1000)]
Seconds = Annotated[int, Field(strict=True, ge=0, le=3600)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class ProfileOut(Schema):
    version: int
    created_at: datetime
    profile: dict[str, Any]


class PlanIn(In):
    start: PlanStart | None = Field(
        default=None, description="first day of the plan, up to a year ahead; today if left out"
    )


class PlanOut(Schema):
    plan_id: int
    profile_version: int
    start_date: date
    plan: dict[str, Any]


class SessionStartIn(In):
    date: NotFuture | None = None
    pain_before: Score | None = None
    red_flags: list[RedFlagId] | None = Field(
        default=None, description="warning signs answered yes before starting; one refers"
    )
    none_of_these: bool | None = Field(
        default=None,
        strict=True,  # true or false, not 1 or "yes"
        description="true: none of the warning signs; this or red_flags must be given",
    )


class SessionStartOut(Schema):
    status: Literal["started", "refer"]
    session_id: int | None = None
    date: date
    week: int | None = None
    session_index: int | None = None
    session: dict[str, Any] | None = None
    referral: dict[str, Any] | None = None


class SetIn(In):
    side: Literal["left", "right", "both", "none"]
    set_number: Annotated[int, Field(strict=True, ge=1, le=100)]
    planned_reps: Reps | None = None
    reps_done: Reps | None = None
    planned_hold_s: Seconds | None = None
    hold_s_done: Annotated[float, Field(strict=True, ge=0, le=3600)] | None = None
    pain_during: Score | None = None
    effort: Effort | None = None
    status: Literal["done", "skipped", "stopped_for_pain", "quit"]


class ExerciseIn(In):
    exercise_id: ExerciseId
    dose_week: Annotated[int, Field(strict=True, ge=1, le=6)] | None = None
    sets: list[SetIn] = Field(min_length=1, max_length=200)


class ExerciseOut(Schema):
    session_id: int
    exercise_id: str
    saved: int
    created: bool = Field(
        default=True, description="false when this exercise was already saved in the session"
    )


class FinishIn(In):
    status: Literal["completed", "stopped_for_pain", "quit"]
    pain_after: Score | None = None


class FinishOut(Schema):
    session_id: int
    status: str
    pain_after: int | None
    finished_at: datetime


class LogIn(In):
    date: NotFuture | None = None
    exercises: list[ExerciseId] = Field(
        default=[], description="only these exercises; the whole session if left empty"
    )
    effort: Effort | None = None
    pain_during: Score | None = None
    pain_before: Score | None = None
    pain_after: Score | None = None
    notes: Text = Field(default="", max_length=5000)


class LogOut(Schema):
    status: Literal["logged", "refer"]
    session_id: int | None = None
    date: date
    sets: int = 0
    referral: dict[str, Any] | None = None


class CheckinIn(In):
    date: NotFuture | None = None
    nprs: Score
    red_flags: list[RedFlagId] | None = Field(
        default=None, description="warning signs answered yes; one refers"
    )
    none_of_these: bool | None = Field(
        default=None,
        strict=True,  # true or false, not 1 or "yes"
        description="true: none of the warning signs; this or red_flags must be given",
    )
    note: Text = Field(default="", max_length=5000)


class CheckinOut(Schema):
    checkin_id: int
    date: date
    nprs: int
    red_flags: list[str]
    referral: dict[str, Any] | None = None


# --- blocks: the end of six weeks, the re-test and the next block ---------------------------

Choice = Literal["progress", "maintain", "see_clinician"]
TestResult = Literal["negative", "positive"]
HoldSeconds = Annotated[float, Field(strict=True, ge=0, le=300)]


class ThomasIn(In):
    left: TestResult | None = None
    right: TestResult | None = None


class HoldIn(In):
    left: HoldSeconds | None = None
    right: HoldSeconds | None = None


class ActivityIn(In):
    name: Text = Field(
        min_length=1, max_length=80, description="the activity, in the person's words"
    )
    score: Score = Field(
        description="how well they can do it today: 0 (not at all) to 10 (as before)"
    )


class RetestIn(In):
    pain: Score = Field(description="pain now, 0 (none) to 10 (worst)")
    thomas_test: ThomasIn | None = Field(
        default=None, description="per side; leave out a side (or the test) not done"
    )
    hip_flexor_hold_s: HoldIn | None = Field(
        default=None, description="the knee-lift hold per side, in seconds (0 to 300)"
    )
    activities: list[ActivityIn] | None = Field(
        default=None,
        min_length=3,
        max_length=5,
        description="the activity check (PSFS): 3 to 5 activities, best the same as last time",
    )


class ChoiceIn(In):
    choice: Choice
    start: PlanStart | None = Field(
        default=None,
        description="the next block's first day, today to a year ahead; today if left out",
    )
    keep: list[ExerciseId] | None = Field(
        default=None,
        max_length=50,
        description="maintain: exercises done in the block to keep; those that helped if left out",
    )


class RowOut(Schema):
    id: str
    label: str
    before: int | float | str | None
    after: int | float | str | None
    verdict: Literal["better", "worse", "same", "unknown"]
    note: str


class OptionOut(Schema):
    choice: Choice
    available: bool
    recommended: bool
    why: str


class ReviewOut(Schema):
    date: date
    before: dict[str, Any]
    after: dict[str, Any]
    rows: list[RowOut]
    improved: bool | None
    summary: str
    options: list[OptionOut]
    keep: list[str]
    choice: Choice | None
    start_date: date | None


class PastReviewOut(Schema):
    date: date
    choice: Choice | None
    rows: list[RowOut]
    summary: str
    next_plan_id: int | None
    next_start: date | None


class PastBlockOut(Schema):
    plan_id: int
    number: int
    kind: Literal["first", "progress", "maintain"]
    start_date: date
    end_date: date | None
    active: bool
    weeks: int
    review: PastReviewOut | None


class BlockOut(Schema):
    number: int
    kind: Literal["first", "progress", "maintain"]
    plan_start: date
    week: int | None
    weeks: int
    review_due: bool
    retest_from: date | None = Field(description="the day the re-test opens: the last session's")
    skip_self_tests: list[str]
    activities: list[str] = Field(description="the activities the last activity check named")
    review: ReviewOut | None
    history: list[PastBlockOut]


class NewBlockOut(Schema):
    number: int
    kind: Literal["progress", "maintain"]


class ChoiceOut(Schema):
    choice: Choice
    plan_id: int | None = Field(description="the next block's plan; null for see_clinician")
    block: NewBlockOut | None
    start_date: date | None


# --- move breaks (issue 15) ---------------------------------------------------------------

HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# [start, end] (a list, not a tuple: OpenAPI 3.1 has no tuple that schema tools all read)
SpanIn = Annotated[list[HHMM], Field(min_length=2, max_length=2, description="[start, end]")]
SpanOut = Annotated[list[str], Field(min_length=2, max_length=2, description="[start, end]")]


def _whole(low: int, high: int, what: str) -> Any:
    return Annotated[int, Field(strict=True, ge=low, le=high, description=what)]


IntervalMin = _whole(INTERVAL_MIN, INTERVAL_MAX, "minutes between reminders")
BreakMin = _whole(BREAK_MIN, BREAK_MAX, "minutes a break takes")
SnoozeMin = _whole(*SNOOZE_MIN_RANGE, "minutes a snooze waits")
Snoozes = _whole(*SNOOZES_RANGE, "snoozes for one reminder")
NaturalMin = _whole(*NATURAL_RANGE, "minutes away that count as a break")
Zone = Annotated[str, Field(max_length=64, description="IANA name, e.g. Europe/Berlin")]


class BreakDayOut(Schema):
    day: date
    prompted: int
    taken: int
    natural: int
    snoozed: int
    skipped: int
    longest_sitting_min: int = Field(
        description="the longest stretch in working hours with no break"
    )


class BreakStatusOut(Schema):
    enabled: bool
    now: datetime = Field(description="the server's time: count the wait for next_at from it")
    next_at: datetime | None = Field(description="the next reminder; null when breaks are off")
    reason: str
    snoozes_left: int
    can_snooze_until: datetime | None
    shown_at: datetime | None = Field(description="a reminder shown and not answered yet")
    can_snooze: bool
    snooze_refusal: str | None = Field(description="why a snooze is refused now, in words")
    quiet_until: datetime | None
    break_min: int
    snooze_min: int
    break_url: str = Field(description="the guided break page")
    today: BreakDayOut


class BreakEventIn(In):
    kind: Literal["prompted", "taken", "moved", "skipped", "snoozed", "quiet"]
    quiet: Literal["1h", "until-tomorrow"] | None = Field(
        default=None, description="with kind quiet: for an hour, or until work starts tomorrow"
    )


class BreakFinishIn(In):
    status: Literal["completed", "stopped_for_pain", "quit"]
    pain_after: Score | None = None


class BreakFinishOut(Schema):
    counted: bool = Field(description="true when the break counts as taken")


class BreakSettingsIn(In):
    enabled: bool | None = Field(default=None, strict=True)
    zone: Zone | None = None
    interval_min: IntervalMin | None = None
    break_min: BreakMin | None = None
    working_hours: dict[Weekday, list[SpanIn]] | None = Field(
        default=None, description="per weekday, [start, end] pairs; [] for a day off"
    )
    fixed_times: list[HHMM] | None = Field(default=None, description="reminders at these times too")
    snooze_min: SnoozeMin | None = None
    snoozes: Snoozes | None = None
    natural_break_min: NaturalMin | None = None


class BreakSettingsOut(Schema):
    enabled: bool
    zone: str
    interval_min: int
    break_min: int
    working_hours: dict[Weekday, list[SpanOut]]
    fixed_times: list[str]
    snooze_min: int
    snoozes: int
    natural_break_min: int | None
