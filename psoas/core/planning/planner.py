"""Profile in, plan out (`psoas.plan/1`): the one function every shell calls.

Order of decisions: the red-flag screen first (a referral makes no program), then the
restrictions (conditions, limits, pregnancy, equipment), the self-test classification, the
exercise choice with its swaps, how often, and finally six weeks of dosing that climb one
rung a week as long as every session still fits the person's minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from psoas.core.assessment import classify
from psoas.core.content.loader import Catalog, catalog
from psoas.core.content.models import Exercise, ProgramSlot
from psoas.core.planning.progression import WEEKS, Rung, describe, ladder
from psoas.core.planning.selection import Pick, blocked_reasons, find_substitute, select
from psoas.core.player.timeline import Dose, exercise_seconds
from psoas.core.profile import DEFAULT_MINUTES
from psoas.core.screening.referral import referral_for
from psoas.core.screening.restrictions import Restrictions, cautions_for, restrictions_for

PLAN_SCHEMA = "psoas.plan/1"
SITTING_DAILY_HOURS = 6  # sitting this long or more: a session every day
DAYS_BY_CLASSIFICATION = {"tight": 5, "tight_and_weak": 4, "weak": 3, "unclear": 3}
STRENGTH_DAYS = 3  # strength work 2-3 days a week, 48 h apart (ACSM 2011)
REST_DAY_FILLER = ProgramSlot(
    exercise="standing_hip_flexor_stretch",
    why="On days without strength work, a short stretch breaks up long hours of sitting.",
)
KIND_ORDER = {"strength": 0, "stretch": 1, "release": 2}


def _days_per_week(profile: Any, classification: str) -> tuple[int, str]:
    hours = profile.sitting_hours_per_day
    if hours is not None and hours >= SITTING_DAILY_HOURS:
        return 7, f"You sit {hours:g} hours a day, so a short session every day helps most."
    days = DAYS_BY_CLASSIFICATION[classification]
    return days, f"{days} days a week suits your program."


def _dose(r: Rung) -> Dose:
    d = r.exercise.dosing
    return Dose(r.exercise.id, d.sides, r.sets, r.reps, r.hold_s, d.tempo_s, d.rest_s)


@dataclass(eq=False)
class _Item:
    pick: Pick
    rungs: list[Rung]
    index: int = 0
    history: list[tuple[int, str]] | None = None  # (rung index, extra note) per week
    seconds: list[float] = field(init=False)  # timeline length of each rung

    def __post_init__(self) -> None:
        self.seconds = [exercise_seconds(_dose(r)) for r in self.rungs]


def _variant(
    ex: Exercise, blocked: dict[str, str], used: set[str], cat: Catalog
) -> Exercise | None:
    for vid in ex.progressions:
        if vid not in blocked and vid not in used:
            return cat.exercises[vid]
    return None


def _fits(sessions: list[list[_Item]], budget_s: float) -> bool:
    return all(sum(it.seconds[it.index] for it in s) <= budget_s for s in sessions)


def _fit_week_one(
    sessions: list[list[_Item]], budget_s: float, minutes: int, excluded: list[dict[str, str]]
) -> None:
    """Drop the least important exercises until every session fits at week 1 dosing."""
    while not _fits(sessions, budget_s):
        for s in sessions:
            if len(s) > 1 and sum(it.seconds[0] for it in s) > budget_s:
                dropped = s.pop()
                if not any(dropped in other for other in sessions):
                    excluded.append(
                        {
                            "id": dropped.pick.exercise.id,
                            "reason": f"It did not fit in your {minutes} minutes a session. "
                            "It was the least important part of your program.",
                        }
                    )
                break
        else:  # every session is down to one exercise that still does not fit
            raise AssertionError("a single exercise at its lowest dose is longer than a session")


def _climb(items: list[_Item], sessions: list[list[_Item]], budget_s: float, minutes: int) -> None:
    """Give each item one rung per week, most important first, while sessions still fit."""
    for it in items:
        it.history = [(0, "")]
    for _week in range(2, WEEKS + 1):
        for it in items:
            if it.index + 1 < len(it.rungs):
                it.index += 1
                if _fits(sessions, budget_s):
                    it.history.append((it.index, ""))  # type: ignore[union-attr]
                    continue
                it.index -= 1
                note = f"Kept at last week's level so the session fits in your {minutes} minutes."
            else:
                note = ""
            it.history.append((it.index, note))  # type: ignore[union-attr]


def _equipment(r: Rung, have: frozenset[str]) -> list[str]:
    ex = r.exercise
    extra = [e for e in ex.optional_equipment if e in have and e != "ankle_weights"]
    if r.ankle_weights:
        extra.append("ankle_weights")
    return [*ex.equipment, *extra]


def _exercise_out(it: _Item, week: int, restr: Restrictions, hold_note: str) -> dict[str, Any]:
    idx, extra = it.history[week - 1]  # type: ignore[index]
    prev = it.rungs[it.history[week - 2][0]] if week > 1 else None  # type: ignore[index]
    r = it.rungs[idx]
    ex = r.exercise
    why = [it.pick.why, describe(prev, r)]
    if extra:
        why.append(extra)
    if ex.kind == "stretch" and hold_note:
        why.append(hold_note)
    if ex.kind == "stretch" and restr.cap_stretch_intensity:
        why.append("Stretch only to a mild, easy pull.")
    return {
        "id": ex.id,
        "name": ex.name,
        "kind": ex.kind,
        "position": ex.movement.position,
        "equipment": _equipment(r, restr.equipment),
        "side": ex.dosing.sides,
        "sets": r.sets,
        "reps": r.reps,
        "hold_s": r.hold_s,
        "tempo_s": ex.dosing.tempo_s if r.reps is not None else None,
        "rest_s": ex.dosing.rest_s,
        "why": " ".join(why),
    }


def _hold_note(profile: Any, restr: Restrictions) -> str:
    if not restr.hold_stretch_progression:
        return ""
    if profile.pregnancy_weeks is not None:
        return "Stretches stay the same each week while you are pregnant."
    if profile.postpartum_weeks is not None:
        return "Stretches stay the same each week in the first weeks after birth."
    return "Stretches stay the same each week, to protect bendy joints."


def build_plan(profile: Any, cat: Catalog | None = None) -> dict[str, Any]:
    cat = cat or catalog()
    restr = restrictions_for(profile, cat)
    result = classify(profile, restr.skip_self_tests)
    plan: dict[str, Any] = {
        "schema": PLAN_SCHEMA,
        "status": "ok",
        "classification": result.classification,
        "classification_why": list(result.reasons),
        "frequency": None,
        "weeks": [],
        "excluded": [],
        "substitutions": [],
        "cautions": cautions_for(profile, cat),
        "referral": None,
    }
    referral = referral_for(profile, cat)
    if referral is not None:
        plan["status"] = "refer"
        plan["referral"] = referral.as_dict()
        return plan

    program = cat.programs[result.classification]
    slots = list(program.slots)
    if restr.favour_strength:
        slots.sort(key=lambda s: KIND_ORDER[cat.exercises[s.exercise].kind])
    blocked = blocked_reasons(cat, restr)
    sel = select(slots, cat, blocked)
    plan["excluded"], plan["substitutions"] = sel.excluded, sel.substitutions

    days, days_why = _days_per_week(profile, result.classification)
    used = {p.exercise.id for p in sel.picks}
    rest_day: list[Pick] = []
    has_strength = any(p.exercise.kind == "strength" for p in sel.picks)
    if has_strength and days > STRENGTH_DAYS:
        rest_day = [p for p in sel.picks if p.exercise.kind != "strength"]
        if not rest_day:
            filler = cat.exercises[REST_DAY_FILLER.exercise]
            if filler.id in blocked or filler.id in used:
                filler = find_substitute(filler, cat, blocked, used)  # type: ignore[assignment]
            if filler is not None:
                rest_day = [Pick(filler, REST_DAY_FILLER.why)]
        if not rest_day:
            days = STRENGTH_DAYS
            days_why = (
                "Strength work needs a rest day in between, and no stretch is safe for "
                "you on the other days. Walk for a few minutes each hour you sit."
            )
    picks = sel.picks + [p for p in rest_day if p.exercise.id not in used]

    variants_used = set(used)
    items: dict[str, _Item] = {}
    for p in picks:
        ex = p.exercise
        variant = (
            None if restr.hold_stretch_progression else _variant(ex, blocked, variants_used, cat)
        )
        if variant is not None:
            variants_used.add(variant.id)
        weights = (
            not restr.hold_stretch_progression
            and "ankle_weights" in restr.equipment
            and "ankle_weights" in ex.optional_equipment
        )
        items[ex.id] = _Item(
            p,
            ladder(
                ex,
                hold_stretch=restr.hold_stretch_progression,
                variant=variant,
                ankle_weights=weights,
            ),
        )
    full = [items[p.exercise.id] for p in sel.picks]
    if rest_day:
        session_specs = [
            ("Strength and stretch", STRENGTH_DAYS, full),
            ("Stretch", days - STRENGTH_DAYS, [items[p.exercise.id] for p in rest_day]),
        ]
    else:
        session_specs = [("Full session", days, full)]
    sessions = [s for _, _, s in session_specs]
    minutes = profile.minutes_per_session or DEFAULT_MINUTES
    budget = minutes * 60.0
    _fit_week_one(sessions, budget, minutes, plan["excluded"])
    ordered = [it for it in items.values() if any(it in s for s in sessions)]
    _climb(ordered, sessions, budget, minutes)

    hold_note = _hold_note(profile, restr)
    plan["frequency"] = {"days_per_week": days, "why": days_why}
    for week in range(1, WEEKS + 1):
        out_sessions = []
        for (name, times, _), items_in in zip(session_specs, sessions, strict=True):
            exercises = [_exercise_out(it, week, restr, hold_note) for it in items_in]
            seconds = sum(it.seconds[it.history[week - 1][0]] for it in items_in)  # type: ignore[index]
            out_sessions.append(
                {
                    "name": name,
                    "times_per_week": times,
                    "estimated_minutes": round(seconds / 60, 1),
                    "exercises": exercises,
                }
            )
        plan["weeks"].append({"week": week, "sessions": out_sessions})
    return plan
