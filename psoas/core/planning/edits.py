"""A clinician's changes to a patient's plan, checked by the same rules as the planner.

A change set (`EditSet`) swaps, adds or removes exercises, changes doses within the
content's ranges, and sets a start and a review date, with one reason for the whole set.
`apply_edits` makes the new plan (still `psoas.plan/1`) and runs `check_plan` on it, week by
week in the person's situation. Any violation refuses the change set, unless a clinician may
overrule that rule (planning/checks.py says which, and why) and the set carries an override
with a reason for exactly that rule and exercise. Accepted overrides are recorded in the
entries they allow (so a later version keeps them) and listed in the result for the store's
log.

Every entry a clinician touched carries `clinician` (`reason`, `overrides`) and a `why` that
starts "Your clinician chose this", so the patient is told whose choice it is. An exercise
swapped in or added without a dose climbs its own ladder from its easy end, one rung a week,
as the planner's would, holding a rung when the session would not fit the person's minutes.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from psoas.core.content.loader import Catalog, catalog
from psoas.core.content.models import Exercise
from psoas.core.planning.checks import (
    Violation,
    check_plan,
    recorded_overrides,
    situation_weeks,
)
from psoas.core.planning.planner import MILD_STRETCH, entry_equipment
from psoas.core.planning.progression import Rung, describe, dose_words, ladder
from psoas.core.player.timeline import LOW_POSITIONS, Dose, session_seconds
from psoas.core.profile import DEFAULT_MINUTES
from psoas.core.screening.restrictions import Restrictions, restrictions_for

WeekNumber = Annotated[int, Field(ge=1, le=6)]
Weeks = Annotated[list[WeekNumber], Field(min_length=1)] | None
ExerciseRef = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Reason = Annotated[str, Field(min_length=3, max_length=600)]
DoseValue = Annotated[int, Field(ge=1, le=600)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Swap(_Strict):
    """`exercise` goes and `to` takes its place, in `weeks` (all weeks it is in when
    absent), in every session that holds it."""

    kind: Literal["swap"]
    exercise: ExerciseRef
    to: ExerciseRef
    weeks: Weeks = None


class Add(_Strict):
    """`exercise` joins the sessions numbered `sessions` (1 is each week's first) in
    `weeks` (all when absent). With `sets`, `reps` or `hold_s` it keeps that dose every
    week (the rest from the easy end); without, it climbs from its easy end."""

    kind: Literal["add"]
    exercise: ExerciseRef
    weeks: Weeks = None
    sessions: list[Annotated[int, Field(ge=1, le=7)]] = Field(default=[1], min_length=1)
    sets: DoseValue | None = None
    reps: DoseValue | None = None
    hold_s: DoseValue | None = None


class Remove(_Strict):
    """`exercise` leaves every session of `weeks` (all weeks it is in when absent)."""

    kind: Literal["remove"]
    exercise: ExerciseRef
    weeks: Weeks = None


class ChangeDose(_Strict):
    """New sets, reps or hold for `exercise` in `weeks` (all weeks it is in when absent);
    what is not given stays."""

    kind: Literal["dose"]
    exercise: ExerciseRef
    weeks: Weeks = None
    sets: DoseValue | None = None
    reps: DoseValue | None = None
    hold_s: DoseValue | None = None

    @model_validator(mode="after")
    def _something(self) -> ChangeDose:
        if self.sets is None and self.reps is None and self.hold_s is None:
            raise ValueError("give sets, reps or hold_s")
        return self


Change = Annotated[Swap | Add | Remove | ChangeDose, Field(discriminator="kind")]


class Override(_Strict):
    """A clinician overrules `rule` (a rule id of planning/checks.py) for `exercise`, with
    a reason the patient is shown (a surgeon's clearance, say)."""

    rule: Annotated[str, Field(min_length=1, max_length=80)]
    exercise: ExerciseRef
    reason: Reason


class EditSet(_Strict):
    """One version's worth of a clinician's changes, in order, and why."""

    reason: Reason
    changes: list[Change] = []
    start_date: date | None = None
    review_date: date | None = None
    overrides: list[Override] = []


class EditError(ValueError):
    """A change set that cannot be applied as asked: `field` names the part to change."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def parse_edits(data: Any) -> EditSet:
    """An `EditSet` from JSON data; a mistake raises EditError naming the field."""
    try:
        return EditSet.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "edits"
        raise EditError(where, first["msg"]) from None


@dataclass(frozen=True)
class AcceptedOverride:
    """An override this change set made, for the store's log."""

    rule: str
    exercise: str
    weeks: tuple[int, ...]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "exercise": self.exercise,
            "weeks": list(self.weeks),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class EditResult:
    """The new plan, or None with the violations that refuse the change set."""

    plan: dict[str, Any] | None
    violations: tuple[Violation, ...] = ()
    overrides: tuple[AcceptedOverride, ...] = ()
    unused_overrides: tuple[Override, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.plan is not None


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _override_line(reason: str) -> str:
    """What the patient reads in an entry's `why` for an override recorded in it."""
    return f"Your clinician chose this for you: {_sentence(reason)}"


class _Editor:
    """Applies changes to a copy of the plan, with the rules of each week at hand."""

    def __init__(
        self, plan: Mapping[str, Any], edits: EditSet, profile: Any, cat: Catalog, days_on: int
    ):
        self.plan = copy.deepcopy(dict(plan))
        self.edits, self.profile, self.cat, self.days_on = edits, profile, cat, days_on
        self.weeks = {w["week"]: w for w in self.plan["weeks"]}
        self.touched: set[tuple[int, int]] = set()  # (week, session index) to re-time
        self.budget = (profile.minutes_per_session or DEFAULT_MINUTES) * 60.0
        self._rules: dict[int, list[Restrictions]] = {}

    def rules(self, week: int) -> list[Restrictions]:
        if week not in self._rules:
            self._rules[week] = [
                restrictions_for(self.profile, self.cat, w)
                for w in situation_weeks(week, self.days_on)
            ]
        return self._rules[week]

    def exercise(self, ex_id: str, field: str) -> Exercise:
        ex = self.cat.exercises.get(ex_id)
        if ex is None:
            raise EditError(field, f"{ex_id} is not an exercise in the library")
        return ex

    def weeks_with(self, ex_id: str, weeks: list[int] | None, field: str) -> list[int]:
        have = [
            n
            for n, w in sorted(self.weeks.items())
            if any(e["id"] == ex_id for s in w["sessions"] for e in s["exercises"])
        ]
        chosen = have if weeks is None else sorted(set(weeks) & set(have))
        if not chosen:
            where = "the plan" if weeks is None else f"week {', '.join(map(str, sorted(weeks)))}"
            raise EditError(field, f"{ex_id} is not in {where}")
        return chosen

    def slot(self, ex_id: str) -> str:
        """The slot an exercise runs in: its own, or the one it has in the plan already."""
        for w in self.weeks.values():
            for s in w["sessions"]:
                for e in s["exercises"]:
                    if e["id"] == ex_id:
                        return e["slot"]
        return ex_id

    def why(self, ex: Exercise, week: int, dose_text: str, old: Mapping[str, Any] | None) -> str:
        parts = [
            f"Your clinician chose this: {_sentence(self.edits.reason)}",
            ex.summary,
            dose_text,
        ]
        for o in recorded_overrides(old):
            parts.append(_override_line(o["reason"]))
        for restr in self.rules(week):
            parts += [n for n in restr.notes_for(ex) if n not in parts]
        if ex.kind == "stretch" and any(r.cap_stretch_intensity for r in self.rules(week)):
            parts.append(MILD_STRETCH)
        return " ".join(parts)

    def entry(
        self,
        ex: Exercise,
        rung: Rung,
        week: int,
        dose_text: str,
        old: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        overrides = recorded_overrides(old)
        return {
            "id": ex.id,
            "slot": old["slot"] if old is not None and old["id"] == ex.id else self.slot(ex.id),
            "name": ex.name,
            "kind": ex.kind,
            "position": ex.movement.position,
            "equipment": entry_equipment(rung, frozenset(self.profile.equipment)),
            "side": ex.dosing.sides,
            "sets": rung.sets,
            "reps": rung.reps,
            "hold_s": rung.hold_s,
            "tempo_s": ex.dosing.tempo_s if rung.reps is not None else None,
            "rest_s": ex.dosing.rest_s,
            "focus_side": None,
            "why": self.why(ex, week, dose_text, old if overrides else None),
            "clinician": {"reason": self.edits.reason, "overrides": overrides},
        }

    def place(
        self, week: int, index: int, entry: dict[str, Any], instead: Any = None
    ) -> dict[str, Any]:
        """Put `entry` in a session in the planner's order (rolling first, then standing
        and sitting work, then floor work), in place of `instead`: an exercise id, or an
        entry placed before (taken back when a session would not fit)."""
        exercises = self.weeks[week]["sessions"][index]["exercises"]
        if isinstance(instead, str):
            exercises[:] = [e for e in exercises if e["id"] != instead]
        elif instead is not None:
            exercises[:] = [e for e in exercises if e is not instead]
        exercises.append(entry)
        exercises.sort(key=lambda e: (e["kind"] != "release", e["position"] in LOW_POSITIONS))
        self.touched.add((week, index))
        return entry

    def seconds(self, week: int, index: int) -> float:
        s = self.weeks[week]["sessions"][index]
        return session_seconds([Dose.from_plan(e) for e in s["exercises"]])

    def climb(self, ex: Exercise, places: dict[int, list[int]], instead: str | None) -> None:
        """`ex` into the given sessions (week -> session indexes), one rung a week from its
        easy end, held at last week's rung when a session would not fit."""
        held = any(r.hold_stretch_progression for w in places for r in self.rules(w))
        rungs = ladder(ex, hold_stretch=held, variant=None)
        last: tuple[int, int] | None = None  # (week, rung index)
        minutes = round(self.budget / 60)
        for week in sorted(places):
            prev = last[1] if last is not None and last[0] == week - 1 else None
            if prev is None:
                options = [0]
            else:
                options = list(dict.fromkeys([min(prev + 1, len(rungs) - 1), prev]))
            placed: dict[int, Any] = {n: instead for n in places[week]}
            for attempt, i in enumerate(options):
                words = describe(None if prev is None else rungs[prev], rungs[i])
                if attempt:
                    words += (
                        f" Kept at last week's level so the session fits in your {minutes} minutes."
                    )
                for n in places[week]:
                    entry = self.entry(ex, rungs[i], week, words)
                    placed[n] = self.place(week, n, entry, placed[n])
                fits = all(self.seconds(week, n) <= self.budget for n in places[week])
                if fits or attempt == len(options) - 1:
                    break
            last = (week, i)

    def swap(self, c: Swap, field: str) -> None:
        self.exercise(c.exercise, f"{field}.exercise")
        ex = self.exercise(c.to, f"{field}.to")
        places = {
            week: [
                n
                for n, s in enumerate(self.weeks[week]["sessions"])
                if any(e["id"] == c.exercise for e in s["exercises"])
            ]
            for week in self.weeks_with(c.exercise, c.weeks, f"{field}.exercise")
        }
        self.climb(ex, places, c.exercise)

    def add(self, c: Add, field: str) -> None:
        ex = self.exercise(c.exercise, f"{field}.exercise")
        weeks = sorted(self.weeks) if c.weeks is None else sorted(set(c.weeks))
        places: dict[int, list[int]] = {}
        for week in weeks:
            w = self.weeks.get(week)
            n_sessions = len(w["sessions"]) if w else 0
            missing = [n for n in c.sessions if n > n_sessions]
            if missing:
                raise EditError(
                    f"{field}.sessions",
                    f"week {week} has {n_sessions} session(s), so no session {missing[0]}",
                )
            places[week] = [n - 1 for n in sorted(set(c.sessions))]
        if c.sets is None and c.reps is None and c.hold_s is None:
            self.climb(ex, places, None)
            return
        d = ex.dosing
        rung = Rung(
            ex,
            c.sets or d.sets.min,
            c.reps if c.reps is not None else (d.reps.min if d.reps else None),
            c.hold_s if c.hold_s is not None else (d.hold_s.min if d.hold_s else None),
        )
        words = f"Your clinician set the dose: {dose_words(rung)}."
        for week, indexes in places.items():
            for index in indexes:
                self.place(week, index, self.entry(ex, rung, week, words), None)

    def remove(self, c: Remove, field: str) -> None:
        for week in self.weeks_with(c.exercise, c.weeks, f"{field}.exercise"):
            for n, s in enumerate(self.weeks[week]["sessions"]):
                kept = [e for e in s["exercises"] if e["id"] != c.exercise]
                if len(kept) == len(s["exercises"]):
                    continue
                if not kept:
                    raise EditError(
                        f"{field}.exercise",
                        f"removing {c.exercise} leaves week {week}'s session {n + 1} "
                        f"({s['name']}) with no exercise; swap it for another instead",
                    )
                s["exercises"] = kept
                self.touched.add((week, n))

    def dose(self, c: ChangeDose, field: str) -> None:
        ex = self.exercise(c.exercise, f"{field}.exercise")
        for week in self.weeks_with(c.exercise, c.weeks, f"{field}.exercise"):
            for n, s in enumerate(self.weeks[week]["sessions"]):
                for i, e in enumerate(s["exercises"]):
                    if e["id"] != c.exercise:
                        continue
                    rung = Rung(
                        ex,
                        e["sets"] if c.sets is None else c.sets,
                        e["reps"] if c.reps is None else c.reps,
                        e["hold_s"] if c.hold_s is None else c.hold_s,
                    )
                    words = f"Your clinician set the dose: {dose_words(rung)}."
                    new = self.entry(ex, rung, week, words, e)
                    new["equipment"], new["focus_side"] = e["equipment"], e["focus_side"]
                    s["exercises"][i] = new
                    self.touched.add((week, n))

    def retime(self) -> None:
        for week, index in self.touched:
            self.weeks[week]["sessions"][index]["estimated_minutes"] = round(
                self.seconds(week, index) / 60, 1
            )

    def record(self, v: Violation, o: Override) -> None:
        """Write an accepted override into the entries it allows."""
        for s in self.weeks[v.week]["sessions"]:  # type: ignore[index]
            for e in s["exercises"]:
                if e["id"] != v.exercise:
                    continue
                choice = e.get("clinician") or {"reason": self.edits.reason, "overrides": []}
                e["clinician"] = choice
                choice["overrides"] = [x for x in choice["overrides"] if x["rule"] != o.rule]
                choice["overrides"].append({"rule": o.rule, "reason": o.reason})
                line = _override_line(o.reason)
                if line not in e["why"]:
                    e["why"] = f"{e['why']} {line}"


def apply_edits(
    plan: Mapping[str, Any],
    edits: EditSet,
    profile: Any,
    cat: Catalog | None = None,
    profile_date: date | None = None,
) -> EditResult:
    """The plan with the clinician's changes, or a refusal listing the violations.

    `profile_date`: the day the profile was given. With a start date (set now or before),
    each plan week is checked in the person's situation of the days it spans from then."""
    cat = cat or catalog()
    start = edits.start_date or _date(plan.get("start_date"))
    review = edits.review_date or _date(plan.get("review_date"))
    if start is not None and review is not None and review < start:
        field = "review_date" if edits.review_date is not None else "start_date"
        raise EditError(field, f"the review date ({review}) comes before the start ({start})")
    if edits.changes and (plan.get("status") != "ok" or not plan.get("weeks")):
        raise EditError(
            "changes", "this plan sends the patient to a clinician, so it has no exercises"
        )
    days_on = max(0, (start - profile_date).days) if start and profile_date else 0
    ed = _Editor(plan, edits, profile, cat, days_on)
    for i, change in enumerate(edits.changes):
        getattr(ed, change.kind)(change, f"changes[{i}]")
    ed.retime()
    if edits.start_date is not None:
        ed.plan["start_date"] = edits.start_date.isoformat()
    if edits.review_date is not None:
        ed.plan["review_date"] = edits.review_date.isoformat()

    given = {(o.rule, o.exercise): o for o in edits.overrides}
    used: dict[tuple[str, str], list[int]] = {}
    refusing = []
    for v in check_plan(ed.plan, profile, cat, days_on):
        o = given.get((v.rule, v.exercise)) if v.overridable else None  # type: ignore[arg-type]
        if o is not None:
            ed.record(v, o)
            used.setdefault((o.rule, o.exercise), []).append(v.week)  # type: ignore[arg-type]
        elif v.override is None:
            refusing.append(v)
    unused = tuple(o for key, o in given.items() if key not in used)
    if refusing:
        return EditResult(None, tuple(refusing), (), unused)
    accepted = tuple(
        AcceptedOverride(rule, ex, tuple(sorted(set(weeks))), given[(rule, ex)].reason)
        for (rule, ex), weeks in used.items()
    )
    return EditResult(ed.plan, (), accepted, unused)


def _date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))
