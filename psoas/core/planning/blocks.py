"""After six weeks: the re-test, before and after side by side, and the next block.

A plan is a block of six weeks. At its end the person does the two self-tests again and
gives their pain and activity scores. `review` sets them beside the block's start, with
each score's minimal important change, and says which next blocks are open:

- progress: climb on from the doses and harder versions reached (`reached_in_block`),
  never from the start again. Closed while pain is 2 or more points up on the block's
  start or 8 or more: PRODUCT.md's rule that rising pain holds progression.
- maintain: 2 to 3 days a week, the exercises that helped, at the doses reached.
- see a clinician: always open, and the one suggested when neither pain nor activity got
  better by its minimal important change (red-flag screen, `no_improvement_6_weeks`).

The person picks; `next_block` makes the new profile (the re-test, the pain score, and
time moved on: a pregnancy, the weeks since a birth or a hip replacement) and its plan,
through the same planner and so the same safety rules as the first block.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args

from psoas.core.content.loader import Catalog, catalog
from psoas.core.content.questionnaires import questionnaires
from psoas.core.planning.autoregulation import (
    PAIN_LIMIT,
    CheckIn,
    SetLog,
    autoregulate,
    slot_entry,
    slots,
)
from psoas.core.planning.carry import BlockKind, Carry, Reached
from psoas.core.planning.planner import build_plan
from psoas.core.profile import HIP_WEEKS_MAX, parse_profile
from psoas.core.scoring.change import change
from psoas.core.scoring.score import Score

Choice = Literal["progress", "maintain", "see_clinician"]
CHOICES: tuple[str, ...] = get_args(Choice)
CHOICE_NAMES = {"progress": "Progress", "maintain": "Maintain", "see_clinician": "See a clinician"}
VERDICT_NAMES = {
    "better": "Better",
    "worse": "Worse",
    "same": "No real change",
    "unknown": "Cannot tell",
}
SIDES = ("left", "right")
HELPED_SESSIONS = 3  # an exercise done on this many days or more...
HOLD_CHANGE_S = 5.0  # the hold test's change that counts (the project's figure: no norms)
PAIN_HIGH = 8  # pain this high at rest: no step up (clinical.md 1, C1)
PAIN_SETTLED = 1  # pain this low counts as settled: there is little left to improve
ACTIVITY_SETTLED = 9.0  # an activity score this high counts as settled
PREGNANCY_WEEKS_MAX = 42


class BlockError(ValueError):
    """A next block that cannot be made as asked: `field` names the answer to change."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Measures:
    """One side of the comparison: the self-tests, pain (0-10) and the activity score
    (PSFS mean, 0-10). Any of them may be missing: a test skipped for safety, a
    questionnaire not done."""

    thomas: Mapping[str, str | None]  # side -> negative | positive | None
    hold_s: Mapping[str, float | None]  # side -> seconds | None
    pain: int | None
    activity: float | None

    @classmethod
    def from_profile(cls, data: Mapping[str, Any], activity: float | None) -> Measures:
        """The block's start: the profile the plan was made from and the activity score
        given at that time."""
        a = data.get("assessment") or {}
        thomas = a.get("thomas_test") or {}
        hold = a.get("hip_flexor_hold_s") or {}
        pain = (data.get("pain") or {}).get("nprs")
        return cls(
            {s: thomas.get(s) for s in SIDES}, {s: hold.get(s) for s in SIDES}, pain, activity
        )

    def assessment(self) -> dict[str, Any] | None:
        """The profile's `assessment` for these results (None when no test was done)."""
        out: dict[str, Any] = {}
        thomas = {s: v for s, v in self.thomas.items() if v is not None}
        hold = {s: float(v) for s, v in self.hold_s.items() if v is not None}
        if thomas:
            out["thomas_test"] = thomas
        if hold:
            out["hip_flexor_hold_s"] = hold
        return out or None


@dataclass(frozen=True)
class Row:
    """One line of the before-and-after table."""

    id: str  # pain | activity | thomas_left | thomas_right | hold_left | hold_right
    label: str
    before: float | str | None
    after: float | str | None
    verdict: Literal["better", "worse", "same", "unknown"]
    note: str  # what size of change counts, in plain words


@dataclass(frozen=True)
class Option:
    choice: Choice
    available: bool
    recommended: bool
    why: str


@dataclass(frozen=True)
class Review:
    rows: tuple[Row, ...]
    improved: bool | None  # pain or activity better by its minimal change; None: unknown
    options: tuple[Option, ...]
    summary: str

    def option(self, choice: str) -> Option:
        return next(o for o in self.options if o.choice == choice)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [vars(r) for r in self.rows],
            "improved": self.improved,
            "options": [vars(o) for o in self.options],
            "summary": self.summary,
        }


def _score_row(qid: str, label: str, before: float | None, after: float | None) -> Row:
    q = questionnaires()[qid]
    if before is None or after is None:
        return Row(qid, label, before, after, "unknown", "There is no score to compare with.")

    def s(v: float) -> Score:
        return Score(qid, float(v), None, 1, 1, "")

    c = change(q, s(before), s(after))
    verdict = "same" if not c.reaches_minimal_change else c.direction
    return Row(qid, label, before, after, verdict, c.message)  # type: ignore[arg-type]


def _thomas_row(side: str, before: str | None, after: str | None) -> Row:
    label = f"Thomas test, {side} side"
    note = "Positive means the thigh stayed above level: tight hip flexors."
    if before is None or after is None:
        return Row(f"thomas_{side}", label, before, after, "unknown", note)
    verdict = "same" if before == after else "better" if after == "negative" else "worse"
    return Row(f"thomas_{side}", label, before, after, verdict, note)  # type: ignore[arg-type]


def _hold_row(side: str, before: float | None, after: float | None) -> Row:
    label = f"Knee-lift hold, {side} side (seconds)"
    note = (
        f"A change of {HOLD_CHANGE_S:g} s or more counts. This is our own figure: the test "
        "has no published norms."
    )
    if before is None or after is None:
        return Row(f"hold_{side}", label, before, after, "unknown", note)
    gap = min(after, 30.0) - min(before, 30.0)  # the test stops at 30 s
    verdict = "same" if abs(gap) < HOLD_CHANGE_S else "better" if gap > 0 else "worse"
    return Row(f"hold_{side}", label, before, after, verdict, note)  # type: ignore[arg-type]


def review(before: Measures, after: Measures, *, can_maintain: bool) -> Review:
    """Before and after side by side, and the next blocks open to the person.
    `can_maintain`: some exercise of the block was done (there is a dose to keep)."""
    pain = _score_row("nprs", "Pain (0 to 10, lower is better)", before.pain, after.pain)
    activity = _score_row(
        "psfs", "Activity score (0 to 10, higher is better)", before.activity, after.activity
    )
    rows = (
        pain,
        activity,
        *(_thomas_row(s, before.thomas.get(s), after.thomas.get(s)) for s in SIDES),
        *(_hold_row(s, before.hold_s.get(s), after.hold_s.get(s)) for s in SIDES),
    )
    pain_ok = pain.verdict == "better" or (after.pain is not None and after.pain <= PAIN_SETTLED)
    activity_ok = activity.verdict == "better" or (
        after.activity is not None and after.activity >= ACTIVITY_SETTLED
    )
    known = pain.verdict != "unknown" or activity.verdict != "unknown"
    improved = (pain_ok or activity_ok) if known else None
    pain_up = pain.verdict == "worse" or (after.pain is not None and after.pain >= PAIN_HIGH)

    if improved is False:
        summary = (
            "After six weeks, neither your pain nor your activity score got better by "
            "enough to count. Please see a clinician to check why before you go on."
        )
    elif improved:
        summary = "Well done: things got better over these six weeks."
    else:
        summary = "We have no scores from the start of the block to compare with."
    if pain_up:
        progress_why = (
            "Your pain is up, and doses do not go up while pain rises. Keep what you have, "
            "or see a clinician."
        )
    else:
        progress_why = (
            "Six more weeks that climb on from where you got to, with harder versions "
            "when you are ready."
        )
    maintain_why = (
        "Two or three days a week, the exercises that helped, at the level you reached."
        if can_maintain
        else "No sessions were saved in this block, so there is nothing to keep yet."
    )
    clinician_why = (
        "A physiotherapist, chiropractor or doctor checks why things have not improved. "
        "Take your report with you."
    )
    first = (
        "see_clinician"
        if improved is False
        else "progress"
        if not pain_up
        else "maintain"
        if can_maintain
        else "see_clinician"
    )
    options = (
        Option("progress", not pain_up, first == "progress", progress_why),
        Option("maintain", can_maintain, first == "maintain", maintain_why),
        Option("see_clinician", True, first == "see_clinician", clinician_why),
    )
    return Review(rows, improved, options, summary)


def reached_in_block(
    plan: Mapping[str, Any],
    logs: Iterable[SetLog],
    check_ins: Iterable[CheckIn],
    baseline_nprs: int | None,
    scheduled: Iterable[date],
    today: date,
    weights: Collection[str] = (),
) -> dict[str, Reached]:
    """Slot -> where it got to in the block: the last dose done, or a step lower when
    autoregulation steps back or holds below it (pain), never a dose not yet done. Slots
    never done are left out: a new block starts them at their easy end."""
    logs = list(logs)
    decision = autoregulate(plan, logs, check_ins, baseline_nprs, scheduled, today, weights)
    if decision.stop:
        return {}
    slot_of = slots(plan)
    by_slot: dict[str, list[SetLog]] = defaultdict(list)
    for g in sorted(logs, key=lambda g: g.day):
        by_slot[slot_of[g.exercise_id]].append(g)
    out = {}
    for slot, done in by_slot.items():
        d = decision.exercises[slot]
        dose = min(d.dose_week, done[-1].dose)
        entry = slot_entry(plan, slot_of, dose, 0, slot)
        if entry is None:  # the slot has no exercise in that week (the rules changed)
            continue
        out[slot] = Reached(
            entry["id"],
            entry["sets"],
            entry["reps"],
            entry["hold_s"],
            weighted=d.action == "add_weight" or "ankle_weights" in entry["equipment"],
            helped=_helped(done),
        )
    return out


def _helped(done: list[SetLog]) -> bool:
    """Done on `HELPED_SESSIONS` days or more, and the last two without pain that holds."""
    days = sorted({g.day for g in done})
    if len(days) < HELPED_SESSIONS:
        return False
    recent = [g for g in done if g.day in days[-2:]]
    return not any(g.stopped_for_pain or g.pain_during >= PAIN_LIMIT for g in recent)


def keep_by_default(reached: Mapping[str, Reached]) -> list[str]:
    """The slots a maintain block keeps unless the person picks: those that helped, or
    every one done when none stands out."""
    helped = [s for s, r in reached.items() if r.helped]
    return helped or list(reached)


def profile_for_block(data: Mapping[str, Any], weeks_on: int, after: Measures) -> dict[str, Any]:
    """The profile for a block that starts `weeks_on` weeks after the last block's start:
    the re-test and pain score in, and every count of weeks moved on."""
    out = dict(data)
    assessment = after.assessment()
    if assessment is None:
        out.pop("assessment", None)
    else:
        out["assessment"] = assessment
    if after.pain is not None:
        out["pain"] = {"nprs": after.pain}
    if out.get("pregnancy_weeks") is not None:
        weeks = out["pregnancy_weeks"] + weeks_on
        if weeks > PREGNANCY_WEEKS_MAX:
            raise BlockError(
                "pregnancy_weeks",
                f"By then you would be {weeks} weeks pregnant. If your baby has come, update "
                "your answers (the weeks since the birth) first, then choose your next block.",
            )
        out["pregnancy_weeks"] = weeks
    if out.get("postpartum_weeks") is not None:
        weeks = out["postpartum_weeks"] + weeks_on
        if weeks > 104:  # two years on: the rules after a birth no longer apply
            out.pop("postpartum_weeks")
        else:
            out["postpartum_weeks"] = weeks
    if out.get("hip_replacement_weeks") is not None:
        out["hip_replacement_weeks"] = min(out["hip_replacement_weeks"] + weeks_on, HIP_WEEKS_MAX)
    return out


def next_block(
    profile_data: Mapping[str, Any],
    weeks_on: int,
    after: Measures,
    choice: BlockKind,
    reached: Mapping[str, Reached],
    number: int,
    classification: str,
    keep: Iterable[str] | None = None,
    cat: Catalog | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the new profile, its plan) for block `number`, after a block of `classification`
    (its plan's). `keep` is a maintain block's
    exercises, by slot or by the id reached (by default those that helped); it must name
    exercises done in the block."""
    cat = cat or catalog()
    if choice not in ("progress", "maintain"):
        raise BlockError("choice", "choice must be progress or maintain")
    data = profile_for_block(profile_data, weeks_on, after)
    kept: frozenset[str] = frozenset()
    if choice == "maintain":
        if not reached:
            raise BlockError("choice", "maintain needs sessions saved in the block before")
        slot_of = {r.exercise_id: s for s, r in reached.items()}
        kept = frozenset(
            keep_by_default(reached) if keep is None else (slot_of.get(k, k) for k in keep)
        )
        unknown = sorted(kept - set(reached))
        if unknown:
            raise BlockError(
                "keep",
                "keep must name exercises done in this block "
                f"({', '.join(sorted(slot_of))}), "
                f"not {', '.join(unknown)}",
            )
        if not kept:
            raise BlockError("keep", "keep at least one exercise")
    carry = Carry(choice, number, classification, dict(reached), kept)
    return data, build_plan(parse_profile(data), cat, carry)
