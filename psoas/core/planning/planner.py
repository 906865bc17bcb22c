"""Profile in, plan out (`psoas.plan/1`): the one function every shell calls.

Order of decisions: the red-flag screen first (a referral makes no program), then the
self-test classification, and then, week by week, the rules of the person's situation in
that week. Time moves the rules (PRODUCT.md): pregnancy and the weeks since a birth count
on, and a hip replacement's precautions lift in the week they end. Weeks with the same
rules form a phase; each phase chooses its exercises (with swaps, never two of a family in
a session) and how often, and every exercise climbs one rung a week from the week it
starts, as long as every session still fits the person's minutes.

Each exercise in the plan names its `slot`: the id it started the plan with. A harder
version that takes over keeps the slot, so its records carry on; an exercise swapped in
when the rules change starts a slot of its own, at its own easy end.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from psoas.core.assessment import Sides, carry_on, classify, worse_sides
from psoas.core.content.loader import Catalog, catalog
from psoas.core.content.models import Exercise, ProgramSlot
from psoas.core.planning.autoregulation import slots
from psoas.core.planning.carry import MAINTAIN_DAYS, MAINTAIN_DAYS_SITTING, Carry, Reached
from psoas.core.planning.progression import WEEKS, Rung, describe, ladder, start_rung
from psoas.core.planning.selection import Pick, blocked_reasons, can_pick, select
from psoas.core.player.timeline import LEVEL_CHANGE_S, LOW_POSITIONS, Dose, exercise_seconds
from psoas.core.profile import DEFAULT_MINUTES
from psoas.core.screening.referral import referral_for
from psoas.core.screening.restrictions import Restrictions, cautions_for, restrictions_for

PLAN_SCHEMA = "psoas.plan/1"
SITTING_DAILY_HOURS = 6  # sitting this long or more: a session every day
DAYS_BY_CLASSIFICATION = {"tight": 5, "tight_and_weak": 4, "weak": 3, "unclear": 3}
STRENGTH_DAYS = 3  # strength work 2-3 days a week, 48 h apart (ACSM 2011)
REST_DAY_FILLER = ProgramSlot(
    exercise="standing_hip_flexor_stretch",
    why="On days without strength work, a short standing stretch breaks up long hours of "
    "sitting. A few minutes of walking each hour helps too.",
)
STAGE_PROGRAMS = {"postpartum_gentle": "postpartum_early"}


def _days_per_week(profile: Any, classification: str, maintain: bool) -> tuple[int, str]:
    hours = profile.sitting_hours_per_day
    if maintain:
        if hours is not None and hours >= SITTING_DAILY_HOURS:
            return MAINTAIN_DAYS_SITTING, (
                f"To keep what you gained, 3 days a week is enough. You sit {hours:g} hours "
                "a day, so walk for a few minutes each hour as well."
            )
        return MAINTAIN_DAYS, "To keep what you gained, 2 days a week is enough."
    if hours is not None and hours >= SITTING_DAILY_HOURS:
        return 7, f"You sit {hours:g} hours a day, so a short session every day helps most."
    days = DAYS_BY_CLASSIFICATION[classification]
    return days, f"{days} days a week suits your program."


def _dose(r: Rung, focus: str | None = None) -> Dose:
    d = r.exercise.dosing
    low = r.exercise.movement.position in LOW_POSITIONS
    return Dose(r.exercise.id, d.sides, r.sets, r.reps, r.hold_s, d.tempo_s, d.rest_s, low, focus)


HIP_FLEXORS = frozenset({"iliopsoas", "rectus_femoris"})


def _focus(r: Rung, sides: Sides) -> str | None:
    """The side that gets one more set of this rung: a one-sided tight result for a hip
    flexor stretch, a one-sided weak result for hip flexor strength; never past the top
    of the sets range."""
    ex = r.exercise
    if ex.dosing.sides != "each" or r.sets + 1 > ex.dosing.sets.max:
        return None
    if not HIP_FLEXORS & set(ex.targets):
        return None
    if ex.kind == "stretch":
        return sides.tight
    return sides.weak if ex.kind == "strength" else None


_LADDERS: dict[tuple, tuple] = {}


def _rungs(
    ex: Exercise,
    hold: bool,
    variant: Exercise | None,
    sides: Sides,
    start: Rung | None = None,
    flat: bool = False,
) -> tuple:
    """An exercise's ladder with each rung's focus side, length and level, worked out once
    per process. Keyed by object identity; the entry holds the objects, so an identity is
    never reused while its entry lives."""
    dose = None if start is None else (start.sets, start.reps, start.hold_s)
    key = (id(ex), hold, id(variant), sides, dose, flat)
    hit = _LADDERS.get(key)
    if hit is None:
        rungs = ladder(ex, hold_stretch=hold, variant=variant, start=start, flat=flat)
        focus = [_focus(r, sides) for r in rungs]
        seconds = [exercise_seconds(_dose(r, f)) for r, f in zip(rungs, focus, strict=True)]
        lows = [r.exercise.movement.position in LOW_POSITIONS for r in rungs]
        if len(_LADDERS) > 4096:
            _LADDERS.clear()
        hit = _LADDERS[key] = (rungs, focus, seconds, lows, ex, variant)
    return hit[:4]


@dataclass(eq=False)
class _Item:
    """One exercise's run in the plan: its rungs and, per plan week, the rung it is on."""

    pick: Pick
    rungs: list[Rung]
    focus: list[str | None]  # per rung, the side that gets one more set
    short_why: str
    seconds: list[float]  # timeline length of each rung
    lows: list[bool]  # each rung done low down
    carried: bool = False  # starts where the block before got to
    weighted: bool = False  # keeps the ankle weight added in the block before
    index: int = 0
    history: dict[int, tuple[int, str]] = field(default_factory=dict)  # week -> rung, note
    out: dict[tuple, dict[str, Any]] = field(default_factory=dict)  # entries made so far


@dataclass
class _Session:
    name: str
    times: int
    items: list[_Item]  # most important first

    def ordered(self) -> list[_Item]:
        """The order they are done in: rolling first (before the stretches it readies you
        for), then standing and sitting work, then floor work, so you get down once."""
        return sorted(
            self.items,
            key=lambda it: (
                it.pick.exercise.kind != "release",
                it.lows[it.index],
            ),
        )

    def seconds(self) -> float:
        """The session's length in the order it is done: work plus each change of level."""
        total, levels = 0.0, [False, False, False, False]  # release up/low, then others
        for it in self.items:
            i = it.index
            total += it.seconds[i]
            levels[(it.pick.exercise.kind != "release") * 2 + it.lows[i]] = True
        before, changes = False, 0
        for low, present in zip((False, True, False, True), levels, strict=True):
            if present:
                changes += low != before
                before = low
        return total + changes * LEVEL_CHANGE_S


@dataclass
class _Phase:
    weeks: list[int]
    restr: Restrictions
    sessions: list[_Session]
    days: int
    days_why: str


def _fits(sessions: list[_Session], budget_s: float) -> bool:
    return all(s.seconds() <= budget_s for s in sessions)


def _drop_order(session: _Session) -> _Item:
    """Which exercise goes first when time is short. The first strength move and the first
    stretch are kept longest; any other goes first, the least important of them first (a
    second stretch for the same muscles before anything else, as slots come in order of
    importance). When only those two are left, the stretch goes: strength keeps its place."""
    kept: list[_Item] = []
    for kind in ("strength", "stretch"):
        kept += [it for it in session.items if it.pick.exercise.kind == kind][:1]
    others = [it for it in session.items if it not in kept]
    if others:
        return others[-1]
    stretches = [it for it in kept if it.pick.exercise.kind != "strength"]
    return stretches[-1] if stretches else session.items[-1]


START_SHARE = 0.75  # a phase starts within this share of the minutes: room to climb


def _fit_start(
    phase: _Phase,
    budget_s: float,
    minutes: int,
    excluded: list[dict[str, str]],
    share: float = START_SHARE,
) -> None:
    """Drop exercises until every session of the phase starts within `share` of the
    person's minutes, so the doses have room to climb (fewer exercises that progress beat
    more that stand still); one exercise alone may use the whole time. A maintain block
    passes the whole time: its doses were reached, and fitted, in the block before, and
    they do not climb."""
    start_s = budget_s * share
    while not _fits(phase.sessions, start_s):
        for s in phase.sessions:
            if len(s.items) > 1 and s.seconds() > start_s:
                dropped = _drop_order(s)
                s.items.remove(dropped)
                if not any(dropped in other.items for other in phase.sessions):
                    ex = dropped.pick.exercise
                    excluded.append(
                        {
                            "id": ex.id,
                            "reason": f"It did not fit in your {minutes} minutes a session, "
                            f"so the time goes to {_kept_words(phase.sessions)}.",
                        }
                    )
                break
        else:  # every session is down to one exercise
            break
    if not _fits(phase.sessions, budget_s):
        raise AssertionError("a single exercise at its lowest dose is longer than a session")


def _kept_words(sessions: list[_Session]) -> str:
    kinds = {it.pick.exercise.kind for s in sessions for it in s.items}
    if "strength" in kinds and "stretch" in kinds:
        return "the strength work and the main stretch"
    return "the strength work" if "strength" in kinds else "the main stretch"


FAVOUR_STRENGTH_REASON = (
    "With the condition you told us about, strength work comes first, so your program "
    "keeps just one stretch."
)


def _activity_slots(
    cat: Catalog, slots: list[ProgramSlot], activities: list[str]
) -> list[ProgramSlot]:
    """What the person's activities add, once each, when the program has no exercise of
    that family yet."""
    families = {cat.exercises[s.exercise].family for s in slots}
    out = []
    for a in cat.activity_slots:
        ex = cat.exercises[a.exercise]
        if ex.family not in families and set(a.activities) & set(activities):
            out.append(ProgramSlot(exercise=ex.id, why=a.why))
            families.add(ex.family)
    return out


def _program_slots(
    cat: Catalog,
    key: str,
    restr: Restrictions,
    activities: list[str] = (),  # type: ignore[assignment]
) -> tuple[list[ProgramSlot], list[str]]:
    """The program's slots, strength first when a condition asks to favour it: then the
    session also keeps to one stretch, so strength has most of the time in substance.
    Returns the slots and the ids of the stretches left out for that."""
    slots = list(cat.programs[key].slots)
    if cat.programs[key].classification is not None:
        # after the program's two main moves: a sport's own need outranks the extras
        slots[2:2] = _activity_slots(cat, slots, activities)
    if not restr.favour_strength:
        return slots, []
    slots.sort(key=lambda s: cat.exercises[s.exercise].kind != "strength")
    out, left_out = [], []
    for s in slots:
        if cat.exercises[s.exercise].kind == "stretch" and any(
            cat.exercises[o.exercise].kind == "stretch" for o in out
        ):
            left_out.append(s.exercise)
            continue
        out.append(s)
    return out, left_out


class _Builder:
    """Builds the phases of one plan, keeping each exercise's run across phases."""

    def __init__(
        self,
        profile: Any,
        cat: Catalog,
        classification: str,
        plan: dict[str, Any],
        sides: Sides,
        carry: Carry | None = None,
    ):
        self.profile, self.cat, self.classification, self.plan = profile, cat, classification, plan
        self.sides, self.carry = sides, carry
        self.maintain = carry is not None and carry.kind == "maintain"
        self.items: dict[str, _Item] = {}  # slot -> its run
        self.minutes = profile.minutes_per_session or DEFAULT_MINUTES
        self.budget = self.minutes * 60.0
        self.seen_excluded: set[str] = set()
        self.seen_subs: set[tuple[str, str]] = set()

    def phase(self, weeks: list[int], restr: Restrictions) -> _Phase:
        cat = self.cat
        key = STAGE_PROGRAMS.get(restr.stage or "", self.classification)
        blocked = blocked_reasons(cat, restr)
        if self.maintain:
            slots, left_out = self._kept_slots(key), []
        else:
            slots, left_out = _program_slots(cat, key, restr, self.profile.activities)
        taken = frozenset(self.items) - {s.exercise for s in slots}
        sel = select(slots, cat, blocked, taken)
        sel.excluded += [{"id": i, "reason": FAVOUR_STRENGTH_REASON} for i in left_out]
        first = weeks[0]
        when = "" if first == 1 else f"Week {first} of your plan on: "
        for e in sel.excluded:
            if e["id"] not in self.seen_excluded:
                self.seen_excluded.add(e["id"])
                self.plan["excluded"].append({"id": e["id"], "reason": when + e["reason"]})
        for s in sel.substitutions:
            if (s["from"], s["to"]) not in self.seen_subs:
                self.seen_subs.add((s["from"], s["to"]))
                self.plan["substitutions"].append({**s, "reason": when + s["reason"]})

        days, days_why = _days_per_week(self.profile, self.classification, self.maintain)
        picks = sel.picks
        rest_day: list[Pick] = []
        has_strength = any(p.exercise.kind == "strength" for p in picks)
        if has_strength and days > STRENGTH_DAYS:
            rest_day = [p for p in picks if p.exercise.kind != "strength"]
            if not rest_day:
                rest_day = self._filler(picks, blocked)
            if not rest_day:
                days = STRENGTH_DAYS
                days_why = (
                    "Strength work needs a rest day in between, and no stretch is safe for "
                    "you on the other days. Walk for a few minutes each hour you sit."
                )
        for p in [*picks, *rest_day]:
            self._item(p, restr, blocked)
        full = [self.items[p.slot] for p in picks]
        if rest_day:
            sessions = [
                _Session("Strength and stretch", STRENGTH_DAYS, full),
                _Session("Stretch", days - STRENGTH_DAYS, [self.items[p.slot] for p in rest_day]),
            ]
        else:
            sessions = [_Session(self._session_name(full), days, full)]
        return _Phase(weeks, restr, sessions, days, days_why)

    @staticmethod
    def _session_name(items: list[_Item]) -> str:
        kinds = {it.pick.exercise.kind for it in items}
        if kinds == {"strength"}:
            return "Strength"
        if "strength" not in kinds:
            return "Stretch"
        return "Full session"

    def _filler(self, picks: list[Pick], blocked: dict[str, str]) -> list[Pick]:
        filler = self.cat.exercises[REST_DAY_FILLER.exercise]
        used = {p.exercise.id for p in picks} | set(self.items)
        families = {p.exercise.family for p in picks if p.exercise.kind != "strength"}
        if not can_pick(filler, blocked, used - {filler.id}, families):
            return []
        return [Pick(filler, REST_DAY_FILLER.why, filler.id, filler=True)]

    def _item(self, p: Pick, restr: Restrictions, blocked: dict[str, str]) -> None:
        if p.slot in self.items:
            return
        reached = self.carry.reached.get(p.slot) if self.carry else None
        ex, start = self._carried(p.exercise, reached, blocked)
        variant = None
        if not restr.hold_stretch_progression and not p.filler and not self.maintain:
            variant = self._variant(ex, blocked)
        short = p.why
        if p.swapped:
            short = (
                f"{ex.summary} It takes the place of another exercise that is not right for you."
            )
        rungs, focus, seconds, lows = _rungs(
            ex, restr.hold_stretch_progression, variant, self.sides, start, self.maintain
        )
        if start is not None and seconds[0] + LEVEL_CHANGE_S * lows[0] > self.budget:
            # the dose reached, alone in a session (and down to the floor for it), is
            # longer than a whole session now (fewer minutes, or a dose above the ranges
            # of today's content): the easy end, as a new exercise
            start = None
            rungs, focus, seconds, lows = _rungs(
                ex, restr.hold_stretch_progression, variant, self.sides, None, self.maintain
            )
        weighted = start is not None and reached is not None and reached.weighted
        self.items[p.slot] = _Item(
            p, rungs, focus, short, seconds, lows, carried=start is not None, weighted=weighted
        )

    def _kept_slots(self, key: str) -> list[ProgramSlot]:
        """A maintain block's slots: the ones the person kept, in their program's order
        (strength first, as the programs list them), each with its own why."""
        keep = self.carry.keep  # type: ignore[union-attr]
        order = [s.exercise for s in self.cat.programs[key].slots]
        kept = sorted(keep, key=lambda s: (order.index(s) if s in order else len(order), s))
        return [
            ProgramSlot(exercise=s, why=f"{self.cat.exercises[s].summary} {KEPT_WHY}") for s in kept
        ]

    def _carried(
        self, ex: Exercise, reached: Reached | None, blocked: dict[str, str]
    ) -> tuple[Exercise, Rung | None]:
        """The exercise a slot starts this block with, and its first dose: where the block
        before got to when that exercise (or the harder version reached) is still safe;
        otherwise the slot's own exercise at its easy end."""
        if reached is None:
            return ex, None
        if reached.exercise_id != ex.id:
            harder = self.cat.exercises.get(reached.exercise_id)
            if harder is None or harder.id in blocked or harder.library_note is not None:
                return ex, None
            if harder.id not in _harder_versions(self.cat, ex):
                return ex, None
            ex = harder
        return ex, start_rung(ex, reached.sets, reached.reps, reached.hold_s)

    def _variant(self, ex: Exercise, blocked: dict[str, str]) -> Exercise | None:
        used = set(self.items) | {it.rungs[-1].exercise.id for it in self.items.values()}
        for vid in ex.progressions:
            v = self.cat.exercises[vid]
            if vid not in blocked and vid not in used and v.library_note is None:
                return v
        return None


KEPT_WHY = "You kept it because it helped you in your last block."


def _harder_versions(cat: Catalog, ex: Exercise) -> set[str]:
    """Every exercise reached from `ex` by its progressions, and theirs."""
    out: set[str] = set()
    todo = list(ex.progressions)
    while todo:
        vid = todo.pop()
        if vid not in out:
            out.add(vid)
            todo += cat.exercises[vid].progressions
    return out


def _climb(phase: _Phase, budget_s: float, minutes: int) -> None:
    """Week by week, each exercise of the phase climbs one rung (the most important first)
    while the sessions still fit; an exercise new in the phase starts at its easy end."""
    live = list(dict.fromkeys(it for s in phase.sessions for it in s.items))
    home = {id(it): [s for s in phase.sessions if it in s.items] for it in live}
    for week in phase.weeks:
        for it in live:
            if not it.history:
                it.history[week] = (it.index, "")
                continue
            note = ""
            if it.index + 1 < len(it.rungs):
                it.index += 1
                if _fits(home[id(it)], budget_s):  # only its own sessions grew
                    it.history[week] = (it.index, "")
                    continue
                it.index -= 1
                note = f"Kept at last week's level so the session fits in your {minutes} minutes."
            it.history[week] = (it.index, note)


def entry_equipment(r: Rung, have: frozenset[str]) -> list[str]:
    """A plan entry's equipment: what the exercise needs, and the optional pieces the
    person has (ankle weights only by their gate, never by the calendar)."""
    ex = r.exercise
    extra = [e for e in ex.optional_equipment if e in have and e != "ankle_weights"]
    return [*ex.equipment, *extra]


MILD_STRETCH = "Stretch only to a mild, easy pull."
WEIGHTS_NOTE = (
    "Ankle weights come only when this dose, slow and with the full pause, feels easy two "
    "sessions in a row. Mark it too easy, and the app will say when to add the lightest one."
)


def _exercise_out(it: _Item, week: int, restr: Restrictions, hold_note: str) -> dict[str, Any]:
    """The plan entry of one exercise in one week (a week like an earlier one is a copy)."""
    idx, extra = it.history[week]
    prev_idx = it.history[week - 1][0] if week - 1 in it.history else None
    key = (idx, prev_idx, extra, id(restr))
    made = it.out.get(key)
    if made is None:
        made = it.out[key] = _make_entry(it, idx, prev_idx, extra, restr, hold_note)
    return dict(made)


def _make_entry(
    it: _Item, idx: int, prev_idx: int | None, extra: str, restr: Restrictions, hold_note: str
) -> dict[str, Any]:
    prev = None if prev_idx is None else it.rungs[prev_idx]
    r = it.rungs[idx]
    ex = r.exercise
    why = [it.pick.why if prev is None else it.short_why, describe(prev, r, it.carried)]
    if extra:
        why.append(extra)
    focus = it.focus[idx]
    if focus is not None:
        worse = "tighter" if ex.kind == "stretch" else "weaker"
        why.append(f"Your {focus} side tested {worse}, so it gets one more set at the end.")
    if restr.notes:
        why += restr.notes_for(ex)
    if ex.kind == "stretch" and hold_note:
        why.append(hold_note)
    if ex.kind == "stretch" and restr.cap_stretch_intensity:
        why.append(MILD_STRETCH)
    if (
        idx == len(it.rungs) - 1
        and "ankle_weights" in ex.optional_equipment
        and "ankle_weights" in restr.equipment
        and not restr.no_added_weight
    ):
        why.append(WEIGHTS_NOTE)
    equipment = entry_equipment(r, restr.equipment)
    if (
        it.weighted
        and r.exercise.id == it.rungs[0].exercise.id
        and "ankle_weights" in restr.equipment
        and not restr.no_added_weight
    ):
        equipment.append("ankle_weights")
        why.append(KEEP_WEIGHT_NOTE)
    return {
        "id": ex.id,
        "slot": it.pick.slot,
        "name": ex.name,
        "kind": ex.kind,
        "position": ex.movement.position,
        "equipment": equipment,
        "side": ex.dosing.sides,
        "sets": r.sets,
        "reps": r.reps,
        "hold_s": r.hold_s,
        "tempo_s": ex.dosing.tempo_s if r.reps is not None else None,
        "rest_s": ex.dosing.rest_s,
        "focus_side": focus,
        "why": " ".join(why),
    }


KEEP_WEIGHT_NOTE = (
    "Keep the ankle weight you added last block. Take it off if it hurts, and mark the set "
    "too hard."
)


def weight_slots(plan: dict[str, Any], profile: Any, cat: Catalog | None = None) -> frozenset:
    """The slots whose last-week exercise may take an ankle weight once its top dose is
    easy: the person has weights, the exercise takes them, and no rule of the last plan
    week (a hip replacement's 12 weeks, surgery, a fresh injury, soon after a birth) holds
    weights back. Autoregulation adds the weight by that gate."""
    cat = cat or catalog()
    if plan.get("status") != "ok" or "ankle_weights" not in profile.equipment:
        return frozenset()
    if restrictions_for(profile, cat, len(plan["weeks"]) - 1).no_added_weight:
        return frozenset()
    last = plan["weeks"][-1]["sessions"]
    slot_of = slots(plan)
    return frozenset(
        slot_of[e["id"]]
        for s in last
        for e in s["exercises"]
        if "ankle_weights" in cat.exercises[e["id"]].optional_equipment
    )


def _hold_note(profile: Any, restr: Restrictions) -> str:
    if not restr.hold_stretch_progression:
        return ""
    if restr.stage in ("early", "supine_limit"):
        return "Stretches stay the same each week while you are pregnant."
    if restr.stage == "postpartum_gentle":
        return "Stretches stay the same each week in the first weeks after birth."
    return "Stretches stay the same each week, to protect bendy joints."


def _phases(profile: Any, cat: Catalog) -> list[tuple[list[int], Restrictions]]:
    """Plan weeks grouped by the rules in force: weeks with the same rules share a phase."""
    moving = (
        profile.pregnancy_weeks is not None
        or profile.postpartum_weeks is not None
        or profile.hip_replacement_weeks is not None
    )
    if not moving:  # nothing in the profile counts on with the weeks: one phase
        return [(list(range(1, WEEKS + 1)), restrictions_for(profile, cat))]
    out: list[tuple[list[int], Restrictions]] = []
    for week in range(1, WEEKS + 1):
        restr = restrictions_for(profile, cat, week - 1)
        if out and out[-1][1] == restr:
            out[-1][0].append(week)
        else:
            out.append(([week], restr))
    return out


def _changes_over_time(
    grouped: list[tuple[list[int], Restrictions]], cat: Catalog
) -> list[dict[str, str]]:
    """A caution for each week where the rules change, so the person knows it is coming."""
    out = []
    for (_, before), (weeks, after) in itertools.pairwise(grouped):
        week = weeks[0]
        said = []
        if after.stage == "supine_limit" and before.stage != "supine_limit":
            said.append(
                f"In week {week} of this plan you reach week "
                f"{cat.pregnancy.supine_from_week} of your pregnancy. From then on, we swap "
                "out exercises done lying on your back."
            )
        if before.stage == "postpartum_gentle" and after.stage != "postpartum_gentle":
            said.append(
                f"From week {week} of this plan your first 6 weeks after the birth are up, "
                "so your own program starts, at its easy end. Check with your doctor or "
                "midwife first, at your 6-week check."
            )
        for cid in sorted(before.conditions - after.conditions):
            said.append(
                f"From week {week} of this plan, the 12 weeks of rules after your "
                f"{cat.conditions[cid].name.split(',')[0].lower()} are over, so more exercises "
                "come in. If your surgeon gave you rules for longer, update your profile."
            )
        out += [{"id": f"from_week_{week}", "message": m} for m in said]
    return out


def _no_safe_program(plan: dict[str, Any], cat: Catalog) -> dict[str, Any]:
    """Some weeks would have no exercise that is safe: refer rather than make a thin plan."""
    msg = next(m for m in cat.screening.referral_messages if m.level == "routine")
    why = cat.screening.no_safe_program_message
    reason = {"id": "no_safe_program", "level": "routine", "question": why, "why": why}
    plan.update(status="refer", excluded=[], substitutions=[])
    plan["referral"] = {
        "level": "routine",
        "title": msg.title,
        "message": msg.message,
        "reasons": [reason],
    }
    return plan


def build_plan(
    profile: Any, cat: Catalog | None = None, carry: Carry | None = None
) -> dict[str, Any]:
    """The plan for a profile. `carry` makes a later block: it climbs on from the doses
    reached before (progress), or keeps the chosen exercises at them (maintain)."""
    cat = cat or catalog()
    grouped = _phases(profile, cat)
    result = classify(profile, grouped[0][1].skip_self_tests)
    if carry is not None:
        result = carry_on(carry.classification, result)
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
    if carry is not None:
        plan["block"] = {"number": carry.number, "kind": carry.kind}
    referral = referral_for(profile, cat)
    if referral is not None:
        plan["status"] = "refer"
        plan["referral"] = referral.as_dict()
        return plan

    plan["cautions"] += _changes_over_time(grouped, cat)
    sides = worse_sides(profile, grouped[0][1].skip_self_tests)
    builder = _Builder(profile, cat, result.classification, plan, sides, carry)
    share = 1.0 if builder.maintain else START_SHARE
    phases = []
    for weeks, restr in grouped:
        phase = builder.phase(weeks, restr)
        _fit_start(phase, builder.budget, builder.minutes, plan["excluded"], share)
        _climb(phase, builder.budget, builder.minutes)
        phases.append(phase)

    if any(not s.items for phase in phases for s in phase.sessions):
        return _no_safe_program(plan, cat)
    first = phases[0]
    plan["frequency"] = {"days_per_week": first.days, "why": first.days_why}
    for phase in phases:
        hold_note = _hold_note(profile, phase.restr)
        for week in phase.weeks:
            out_sessions = []
            for s in phase.sessions:
                for it in s.items:
                    it.index = it.history[week][0]
                items = s.ordered()
                out_sessions.append(
                    {
                        "name": s.name,
                        "times_per_week": s.times,
                        "estimated_minutes": round(s.seconds() / 60, 1),
                        "exercises": [
                            _exercise_out(it, week, phase.restr, hold_note) for it in items
                        ],
                    }
                )
            plan["weeks"].append({"week": week, "sessions": out_sessions})
    return plan
