"""Which safety rules a plan breaks, week by week: the one check that the planner's own plans
pass and that a clinician's edits (planning/edits.py) must pass too.

The planner makes safe plans by construction; this module checks a finished plan, from the
outside, against the same content rules. Each plan week is checked against the rules of the
person's situation in that week (`restrictions_for(profile, cat, weeks_on)`), as the planner
builds it: pregnancy and the weeks since a birth count on, a hip replacement's 12 weeks end.

Rule ids (each `Violation.rule`):

- `referral`: a red flag refers the person, so the plan must hold no exercise.
- `plan.schema`: the plan is not a valid `psoas.plan/1` (nothing else is checked then).
- `entry.catalog`: an entry's name, kind, position, side, rest, tempo or equipment is not the
  catalog's; `slot.one`: an exercise runs in two slots, or two exercises share a slot in
  one week (their records would mix).
- From screening (`Restrictions.breaches`): `condition.<id>`, `contraindication.<id>`,
  `limit.<id>`, `pregnancy`, `pregnancy.supine` (from week 13), `postpartum` (the first 6
  weeks: gentle only), `steadiness`, `steadiness.poor_balance`, `equipment`;
  `added_weight` (ankle weights while a rule holds weights back); a note the rules ask for
  (a knee lift only halfway after a hip replacement, a mild stretch in pregnancy) missing
  from the `why` is a breach of the rule that asks for it (`condition.<id>`, `mild_stretch`).
- `dose.range`: sets, reps or hold outside the content's ranges (one more set on the focus
  side counts).
- `session.minutes`: longer than the person's minutes; `session.estimate`: the session's
  `estimated_minutes` is not its timeline; `session.repeat`: an exercise twice in a session.
- `progression.load_step`: the work of a set rises more than 20% from one week to the next;
  `progression.one_change`: more than one of sets, reps and hold rises at once;
  `progression.held_stretch`: a stretch's dose rises while the rules hold it (pregnancy,
  very bendy joints, the first weeks after a birth).

Which rules a clinician may overrule, with a reason (research/clinical.md):

- The hip-replacement precautions (`condition.hip_replacement_*`). Section 2.3: the
  surgeon's instructions win and "after clearance the restrictions can be lifted by the
  user/clinician explicitly"; the reviews cited there find no fewer dislocations with the
  precautions than without. A surgeon's clearance is the reason a clinician gives.
- The weekly progression limits (`progression.load_step`, `progression.one_change`).
  Section 4.2: the 10-20% cap is a conservative product choice on weak evidence (Buist: no
  more injuries at about 24% a week than at 10%), and "one thing at a time" is clinical
  convention; a clinician who watches the patient may step faster.

Never overruled: a red flag's referral (section 1.3: "never let a user override" an
emergency item); the pregnancy rules (3.4: supine from week 13 is the conservative reading
of ACOG, prone is avoided, and a physiotherapist is not the maternity clinician who could
clear it); the first 6 weeks after a birth (3.6: the gentle programme until the 6-week
check); every other condition and contraindication (2.1, 2.2, 2.4, 2.5: hard exclusions,
"never prescribe loaded spinal flexion/rotation" after surgery, an acute injury deferred
until assessed); the person's own limits and missing equipment (what they told us about
their body and home: change the profile with them instead); the steadiness rules (a fall
risk the person reported or their age implies); the content's dose ranges (issue 12:
"change doses within the content's ranges"); the session's minutes (the person's time);
and the plan's own consistency (schema, catalog, slots, estimates).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError

from psoas.core.content.loader import Catalog
from psoas.core.content.models import Exercise, Range
from psoas.core.plan import plan_model
from psoas.core.planning.planner import MILD_STRETCH, WEIGHTS_NOTE
from psoas.core.planning.progression import WEEKLY_CAP, Rung, work
from psoas.core.planning.selection import blocked_reasons, find_substitute
from psoas.core.player.timeline import Dose, session_seconds
from psoas.core.profile import DEFAULT_MINUTES
from psoas.core.screening.referral import referral_for
from psoas.core.screening.restrictions import Restrictions, restrictions_for

OVERRIDABLE = frozenset(
    {
        "condition.hip_replacement_posterior",
        "condition.hip_replacement_lateral",
        "condition.hip_replacement_anterior",
        "progression.load_step",
        "progression.one_change",
    }
)
ESTIMATE_TOLERANCE_S = 3.0  # estimated_minutes is rounded to 0.1 min
DOSE_FIELDS = ("sets", "reps", "hold_s")


@dataclass(frozen=True)
class Violation:
    """One safety rule a plan breaks. `week` and `exercise` are None for the plan as a
    whole; `overridable` says a clinician may overrule it with a reason, and `override` is
    the reason recorded in the plan entry (a version before already overruled it)."""

    rule: str
    week: int | None
    exercise: str | None
    message: str
    overridable: bool
    override: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def blocking(violations: Iterable[Violation]) -> list[Violation]:
    """The violations no recorded override answers."""
    return [v for v in violations if v.override is None]


def entry_work(entry: Mapping[str, Any], cat: Catalog) -> float:
    """Seconds under load in a plan entry's sets (one side): progression.work of its dose."""
    ex = cat.exercises[entry["id"]]
    return float(work(Rung(ex, entry["sets"], entry["reps"], entry["hold_s"])))


def recorded_overrides(entry: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The overrides recorded in a plan entry (a version before overruled them)."""
    return list(((entry or {}).get("clinician") or {}).get("overrides") or [])


def _recorded(entry: Mapping[str, Any], rule: str) -> str | None:
    return next((o["reason"] for o in recorded_overrides(entry) if o["rule"] == rule), None)


class _Found:
    """Violations as they are found, each (rule, week, exercise) once."""

    def __init__(self) -> None:
        self.items: dict[tuple, Violation] = {}

    def add(
        self,
        rule: str,
        week: int | None,
        message: str,
        entry: Mapping[str, Any] | None = None,
    ) -> None:
        ex_id = entry["id"] if entry is not None else None
        key = (rule, week, ex_id)
        if key in self.items:
            return
        overridable = rule in OVERRIDABLE
        override = _recorded(entry, rule) if overridable and entry is not None else None
        self.items[key] = Violation(rule, week, ex_id, message, overridable, override)


def _range_words(r: Range) -> str:
    return f"{r.min}" if r.min == r.max else f"{r.min} to {r.max}"


def _dose(found: _Found, week: int, e: Mapping[str, Any], ex: Exercise) -> None:
    d = ex.dosing
    name = ex.name
    extra = e.get("focus_side") is not None
    if not d.sets.min <= e["sets"] <= d.sets.max or (extra and e["sets"] + 1 > d.sets.max):
        more = " (one more on the focus side included)" if extra else ""
        found.add(
            "dose.range",
            week,
            f"Week {week}: {name} has {e['sets'] + extra} sets{more}. "
            f"Sets must be {_range_words(d.sets)}.",
            e,
        )
    for field, rng, unit, none_words in (
        ("reps", d.reps, " reps", "it is held, not counted in reps"),
        ("hold_s", d.hold_s, " s", "it has no hold or pause"),
    ):
        value = e[field]
        what = "hold" if field == "hold_s" else "reps"
        if rng is None and value is not None:
            found.add(
                "dose.range",
                week,
                f"Week {week}: {name} has {what} of {value}, but {none_words}.",
                e,
            )
        elif rng is not None and (value is None or not rng.min <= value <= rng.max):
            found.add(
                "dose.range",
                week,
                f"Week {week}: {name} has {what} of {value}. "
                f"The {what} must be {_range_words(rng)}{unit}.",
                e,
            )
    if extra and d.sides != "each":
        found.add(
            "dose.range",
            week,
            f"Week {week}: {name} is done on both sides at once, so no side gets a set more.",
            e,
        )


def _catalog(found: _Found, week: int, e: Mapping[str, Any], ex: Exercise) -> None:
    d = ex.dosing
    want = {
        "name": ex.name,
        "kind": ex.kind,
        "position": ex.movement.position,
        "side": d.sides,
        "rest_s": d.rest_s,
        "tempo_s": d.tempo_s if e["reps"] is not None else None,
    }
    wrong = [k for k, v in want.items() if e[k] != v]
    have = set(e["equipment"])
    if not set(ex.equipment) <= have or not have <= {*ex.equipment, *ex.optional_equipment}:
        wrong.append("equipment")
    if wrong:
        found.add(
            "entry.catalog",
            week,
            f"Week {week}: {ex.name}'s {', '.join(wrong)} differ from the exercise library. "
            "Take them from the library.",
            e,
        )


def _allowed_instead(ex: Exercise, restr: Restrictions, cat: Catalog, session_ids: set[str]) -> str:
    """What is allowed in its place: the swap the planner would make, if there is one."""
    sub = find_substitute(ex, cat, blocked_reasons(cat, restr), session_ids)
    if sub is None:
        return "No variant of it is allowed in this week."
    return f"Allowed instead: {sub.name.lower()}."


def _restrictions(
    found: _Found,
    week: int,
    e: Mapping[str, Any],
    ex: Exercise,
    restr: Restrictions,
    cat: Catalog,
    session_ids: set[str],
) -> None:
    breaches = restr.breaches(ex)
    if breaches:
        instead = _allowed_instead(ex, restr, cat, session_ids)
    for rule, reason in breaches:
        found.add(rule, week, f"Week {week}: {ex.name} is not allowed. {reason} {instead}", e)
    if restr.no_added_weight and ("ankle_weights" in e["equipment"] or WEIGHTS_NOTE in e["why"]):
        found.add(
            "added_weight",
            week,
            f"Week {week}: {ex.name} adds ankle weights, but no weight may be added in "
            "this week (a healing hip, surgery, a fresh injury or a recent birth).",
            e,
        )
    if "ankle_weights" in e["equipment"] and "ankle_weights" not in restr.equipment:
        found.add(
            "equipment",
            week,
            f"Week {week}: {ex.name} uses ankle weights, which the patient does not have.",
            e,
        )
    for rule, note in restr.notes_with_sources(ex):
        if note not in e["why"]:
            found.add(rule, week, f"Week {week}: {ex.name} must say how to do it safely: {note}", e)
    if ex.kind == "stretch" and restr.cap_stretch_intensity and MILD_STRETCH not in e["why"]:
        found.add(
            "mild_stretch",
            week,
            f"Week {week}: {ex.name} must say to stretch only to a mild pull: {MILD_STRETCH}",
            e,
        )


def _sessions(found: _Found, week: int, sessions: list[dict[str, Any]], minutes: int) -> None:
    for n, s in enumerate(sessions, 1):
        ids = [e["id"] for e in s["exercises"]]
        for ex_id in sorted({i for i in ids if ids.count(i) > 1}):
            entry = next(e for e in s["exercises"] if e["id"] == ex_id)
            found.add(
                "session.repeat",
                week,
                f"Week {week}, session {n}: {entry['name']} is in it twice. An exercise may "
                "be in a session once.",
                entry,
            )
        seconds = session_seconds([Dose.from_plan(e) for e in s["exercises"]])
        if seconds > minutes * 60 + 1e-9:
            found.add(
                "session.minutes",
                week,
                f"Week {week}, session {n} takes {seconds / 60:.1f} minutes. The patient has "
                f"{minutes} minutes a session. Remove an exercise or lower a dose.",
            )
        if abs(seconds - 60 * s["estimated_minutes"]) > ESTIMATE_TOLERANCE_S + 1e-9:
            found.add(
                "session.estimate",
                week,
                f"Week {week}, session {n} says {s['estimated_minutes']} minutes, but its "
                f"exercises take {seconds / 60:.1f}.",
            )


def _progression(
    found: _Found,
    plan: Mapping[str, Any],
    cat: Catalog,
    held: Mapping[int, bool],
) -> None:
    runs: dict[str, dict[int, Mapping[str, Any]]] = defaultdict(dict)
    slot_of: dict[str, set[str]] = defaultdict(set)
    for week in plan["weeks"]:
        n = week["week"]
        in_slot: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for s in week["sessions"]:
            for e in s["exercises"]:
                runs[e["slot"]][n] = e
                slot_of[e["id"]].add(e["slot"])
                in_slot[e["slot"]].append(e)
        for entries in in_slot.values():
            names = sorted({cat.exercises[e["id"]].name.lower() for e in entries})
            if len(names) > 1:
                found.add(
                    "slot.one",
                    n,
                    f"Week {n}: {' and '.join(names)} share one slot (one is a version of "
                    "the other), so their records would mix. Keep one of them this week.",
                    entries[-1],
                )
    for ex_id, slots in sorted(slot_of.items()):
        if len(slots) > 1:
            found.add(
                "slot.one",
                None,
                f"{cat.exercises[ex_id].name} runs in more than one slot "
                f"({', '.join(sorted(slots))}). Each exercise keeps one slot, so its records "
                "stay together.",
                {"id": ex_id},
            )
    for entries in runs.values():
        for week, e in sorted(entries.items()):
            prev = entries.get(week - 1)
            if prev is None or prev["id"] != e["id"]:
                continue
            name = cat.exercises[e["id"]].name
            before, after = entry_work(prev, cat), entry_work(e, cat)
            if after > before * (1 + WEEKLY_CAP) + 1e-9:
                rise = round(100 * (after / before - 1)) if before else 100
                found.add(
                    "progression.load_step",
                    week,
                    f"Week {week}: {name}'s work rises {rise}% from week {week - 1}. "
                    f"At most {round(100 * WEEKLY_CAP)}% a week is allowed.",
                    e,
                )
            rose = [k for k in DOSE_FIELDS if (e[k] or 0) > (prev[k] or 0)]
            if len(rose) > 1:
                found.add(
                    "progression.one_change",
                    week,
                    f"Week {week}: {name}'s {' and '.join(rose)} all rise from week "
                    f"{week - 1}. Change one thing a week.",
                    e,
                )
            if held[week] and held[week - 1] and e["kind"] != "strength" and rose:
                found.add(
                    "progression.held_stretch",
                    week,
                    f"Week {week}: {name}'s {' and '.join(rose)} rise from week {week - 1}. "
                    "In this week stretches stay at the same dose.",
                    e,
                )


def situation_weeks(week: int, days_on: int = 0) -> list[int]:
    """The weeks after the profile (`weeks_on`) that plan week `week` spans, when the plan
    starts `days_on` days after the profile was given: one, or two when it straddles."""
    first = days_on + 7 * (week - 1)
    return sorted({first // 7, (first + 6) // 7})


def check_plan(
    plan: Mapping[str, Any], profile: Any, cat: Catalog, days_on: int = 0
) -> list[Violation]:
    """Every safety rule the plan breaks, for this profile, in each week of the plan.

    `days_on`: the plan's first day comes this many days after the profile was given (a
    start date set later); each plan week is then checked against every week of the
    person's situation it spans. The planner's own plans start on the profile's day (0)."""
    found = _Found()
    try:
        plan_model().model_validate(plan)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        found.add(
            "plan.schema",
            None,
            f"The plan is not a valid psoas.plan/1: {where}: {first['msg']} "
            f"({err.error_count()} problem(s)).",
        )
        return list(found.items.values())
    if referral_for(profile, cat) is not None and plan["weeks"]:
        found.add(
            "referral",
            None,
            "A red flag sends this patient to a clinician first. The plan must have no "
            "exercises until they are seen.",
        )
        return list(found.items.values())
    minutes = profile.minutes_per_session or DEFAULT_MINUTES
    cache: dict[int, Restrictions] = {}
    held: dict[int, bool] = {}
    for week in plan["weeks"]:
        n = week["week"]
        rules = [
            cache.get(w) or cache.setdefault(w, restrictions_for(profile, cat, w))
            for w in situation_weeks(n, days_on)
        ]
        held[n] = any(r.hold_stretch_progression for r in rules)
        for s in week["sessions"]:
            ids = {e["id"] for e in s["exercises"]}
            for e in s["exercises"]:
                ex = cat.exercises[e["id"]]
                _catalog(found, n, e, ex)
                _dose(found, n, e, ex)
                for restr in rules:
                    _restrictions(found, n, e, ex, restr, cat, ids)
        _sessions(found, n, week["sessions"], minutes)
    _progression(found, plan, cat, held)
    return list(found.items.values())
