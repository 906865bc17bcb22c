"""Autoregulation: what the next session does, from how the last ones went.

The plan (`psoas.plan/1`) already holds six weeks of doses for each exercise. This module
picks the program week of the next session and, for each exercise, the week whose dose to
do: the program week plus an offset. Rules, from issue 3 item 5 and research/clinical.md
2.2 (pain traffic light) and 4.2 (progression), checked in this order:

1. A red flag answered yes at a check-in stops the program; the caller refers.
2. Per exercise, last time: pain during of 6 or more, or a stop for pain, goes one week
   back (red light). Week 1 cannot go lower, so the reason says to see a clinician if the
   pain keeps coming back.
3. Pain during of 4-5 (amber light), pain at the latest check-in 2 or more points above the
   baseline or the check-in before, or effort "too hard": hold, the same dose as last time.
   "Too hard" is this module's addition: 4.2 moves on only when the work is done with good
   form, so work that felt too hard should not step up either.
4. "Too easy" on the last two sessions at the same dose, with all planned work done and pain
   during 3 or less (the 2-for-2 rule of 4.2): one week ahead, never past the last week.
   At the last week, an exercise that may take an ankle weight gets one now: the weight
   comes by this gate (each exercise's "15 slow lifts feel easy"), never by the calendar.
5. Otherwise follow the plan, keeping any earlier step back or ahead.

Program weeks are 7-day blocks from the first scheduled day; a block with no session done
repeats its week. An exercise's slot is the id it started the plan with (the plan's
`slot`): a harder variant that takes over in weeks 5-6 shares the slot, so its logs and
its offset carry over. `next_session` turns a decision into the session's exercises and
keeps it within the plan's time. Which exercises a day holds follows the day's own week of
the calendar, never an earlier one: the rules of that week (a pregnancy past week 13)
hold even when the doses are a step behind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args

from psoas.core.player.timeline import Dose, session_seconds

Effort = Literal["too_easy", "about_right", "too_hard"]
Action = Literal["continue", "hold", "regress", "progress_early", "add_weight"]
EFFORTS: tuple[str, ...] = get_args(Effort)
SIDES = ("left", "right", "both", "none")
PAIN_STOP = 6  # traffic light red: stop, and step back next time
PAIN_LIMIT = 4  # traffic light amber (4-5): hold
PAIN_EASY_MAX = 3  # "too easy" counts only with pain during 3 or less
PAIN_RISE = 2  # NPRS points up that hold every exercise (the MCID, Ostelo 2008)
EASY_SESSIONS = 2  # "too easy" on this many sessions in a row moves on early


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


@dataclass(frozen=True)
class SetLog:
    """One set of one exercise, as done. `dose_week` is the plan week whose dose was done
    (None: the program week, no offset)."""

    day: date
    week: int
    exercise_id: str
    side: str
    planned_reps: int | None
    done_reps: int | None
    planned_hold_s: float | None
    done_hold_s: float | None
    pain_during: int  # 0-10
    effort: Effort
    stopped_for_pain: bool = False
    dose_week: int | None = None

    def __post_init__(self) -> None:
        where = f"log of {self.exercise_id} on {self.day}"
        _check(self.week >= 1, f"{where}: week must be 1 or more, not {self.week}")
        _check(self.dose_week is None or self.dose_week >= 1, f"{where}: dose_week below 1")
        _check(0 <= self.pain_during <= 10, f"{where}: pain_during must be 0 to 10")
        _check(self.effort in EFFORTS, f"{where}: effort must be one of {', '.join(EFFORTS)}")
        _check(self.side in SIDES, f"{where}: side must be one of {', '.join(SIDES)}")

    @property
    def dose(self) -> int:
        return self.dose_week or self.week

    @property
    def all_done(self) -> bool:
        reps = self.planned_reps is None or (self.done_reps or 0) >= self.planned_reps
        hold = self.planned_hold_s is None or (self.done_hold_s or 0) >= self.planned_hold_s
        return reps and hold


@dataclass(frozen=True)
class CheckIn:
    day: date
    nprs: int
    red_flags: tuple[str, ...] = ()  # ids of red-flag questions answered yes

    def __post_init__(self) -> None:
        _check(0 <= self.nprs <= 10, f"check-in on {self.day}: nprs must be 0 to 10")


@dataclass(frozen=True)
class ExerciseDecision:
    exercise_id: str  # the exercise's slot: its id in week 1 of the plan
    action: Action
    dose_week: int  # the plan week whose dose to do next
    offset: int  # dose_week minus the program week
    reason: str


@dataclass(frozen=True)
class Decision:
    week: int  # program week of the next session
    stop: bool  # a red flag: no session, the caller refers
    red_flags: tuple[str, ...]
    exercises: Mapping[str, ExerciseDecision] = field(default_factory=dict)
    messages: tuple[str, ...] = ()


def slots(plan: Mapping[str, Any]) -> dict[str, str]:
    """Exercise id -> slot for every exercise in the plan. Plans made before slots were
    named keep one shape every week, so there the slot is the id at the same place in
    week 1."""
    _check(plan.get("status") == "ok" and bool(plan.get("weeks")), "the plan has no weeks")
    weeks = plan["weeks"]
    out: dict[str, str] = {}
    named = [e for w in weeks for s in w["sessions"] for e in s["exercises"] if "slot" in e]
    if named:
        return {e["id"]: e["slot"] for e in named}
    for s, session in enumerate(weeks[0]["sessions"]):
        for i, ex in enumerate(session["exercises"]):
            for w in weeks:
                out[w["sessions"][s]["exercises"][i]["id"]] = ex["id"]
    return out


def autoregulate(
    plan: Mapping[str, Any],
    logs: Iterable[SetLog],
    check_ins: Iterable[CheckIn],
    baseline_nprs: int | None,
    scheduled: Iterable[date],
    today: date,
    weights: Collection[str] = (),
) -> Decision:
    """Decide the next session. Logs and check-ins cover this plan, up to `today`.
    `weights` are the slots that may take an ankle weight once their top dose is easy
    (`planner.weight_slots`): the weight comes by that gate, never by the calendar."""
    slot_of = slots(plan)
    last_week = len(plan["weeks"])
    logs, check_ins = list(logs), sorted(check_ins, key=lambda c: c.day)
    for x in [*logs, *check_ins]:
        _check(x.day <= today, f"an entry on {x.day} is after today ({today})")
    for log in logs:
        _check(log.dose <= last_week, f"log of {log.exercise_id}: the plan has {last_week} weeks")
    start = min(scheduled, default=today)
    week, messages = _program_week(start, {g.day for g in logs}, today, last_week)
    # A clinician may swap or remove an exercise after it was done: its logs still count
    # the day for the program week, but say nothing about the exercises the plan now holds.
    logs = [g for g in logs if g.exercise_id in slot_of]

    flags = tuple(sorted({f for c in check_ins for f in c.red_flags}))
    if flags:
        stop = (
            "Stop the program for now. Some of your answers need a check by a clinician "
            "before you go on."
        )
        return Decision(week, True, flags, {}, (stop,))

    rise = _pain_rise(check_ins, baseline_nprs)
    if rise:
        messages.append(rise)
    by_slot: dict[str, list[SetLog]] = defaultdict(list)
    for log in sorted(logs, key=lambda g: g.day):
        by_slot[slot_of[log.exercise_id]].append(log)
    decisions = {
        s: _decide(s, by_slot.get(s, []), week, last_week, bool(rise), s in weights)
        for s in dict.fromkeys(slot_of.values())
    }
    return Decision(week, False, (), decisions, tuple(messages))


def _program_week(
    start: date, session_days: set[date], today: date, last_week: int
) -> tuple[int, list[str]]:
    """The program week of `today`: each past 7-day block with a session moves on a week."""
    blocks = max(0, (today - start).days // 7)
    active = {(d - start).days // 7 for d in session_days if d >= start}
    moved = sum(1 for b in range(blocks) if b in active)
    week = min(1 + moved, last_week)
    missed = 0
    while missed < blocks and (blocks - 1 - missed) not in active:
        missed += 1
    messages = []
    if missed:
        span = "last week" if missed == 1 else f"the last {missed} weeks"
        messages.append(f"You did no sessions {span}, so you do week {week} again.")
    if 1 + moved > last_week:
        messages.append(
            f"You have done all {last_week} weeks of your plan. Keep going at week "
            f"{last_week}, or ask for a new plan."
        )
    return week, messages


def _pain_rise(check_ins: list[CheckIn], baseline: int | None) -> str:
    """A message when the latest pain is 2 or more points up; "" when it is not."""
    if not check_ins:
        return ""
    now = check_ins[-1].nprs
    against = [("at the start", baseline)] if baseline is not None else []
    if len(check_ins) > 1:
        against.append(("last time", check_ins[-2].nprs))
    for when, before in against:
        if now - before >= PAIN_RISE:
            return (
                f"Your pain is {now} out of 10, {now - before} points more than {when}. "
                "So nothing steps up for now. If your pain keeps going up, see a clinician."
            )
    return ""


def _sessions(logs: list[SetLog]) -> list[list[SetLog]]:
    """Logs of one slot grouped by day, oldest first (logs are sorted by day)."""
    days: dict[date, list[SetLog]] = defaultdict(list)
    for g in logs:
        days[g.day].append(g)
    return list(days.values())


def _too_easy(session: list[SetLog], dose: int) -> bool:
    return all(
        g.effort == "too_easy" and g.all_done and g.pain_during <= PAIN_EASY_MAX and g.dose == dose
        for g in session
    )


WEIGHT_GATE = (
    "This felt too easy twice at the top of your plan, with little or no pain. Now add the "
    "lightest ankle weight you have, with the same reps. Take it off if it hurts."
)


def _decide(
    slot: str,
    logs: list[SetLog],
    week: int,
    last_week: int,
    pain_rise: bool,
    weights: bool = False,
) -> ExerciseDecision:
    def out(action: Action, dose: int, reason: str) -> ExerciseDecision:
        return ExerciseDecision(slot, action, dose, dose - week, reason)

    if not logs:
        return out("continue", week, f"This is new for you, so start at week {week}.")
    sessions = _sessions(logs)
    last = sessions[-1]
    dose_last = last[-1].dose
    planned = min(max(week + dose_last - last[-1].week, 1), last_week)
    pain = max(g.pain_during for g in last)
    if any(g.stopped_for_pain for g in last) or pain >= PAIN_STOP:
        what = (
            "you stopped this for pain"
            if any(g.stopped_for_pain for g in last)
            else f"this hurt ({pain} out of 10)"
        )
        if dose_last == 1:
            return out(
                "regress",
                1,
                f"Last time {what}. It is already at its easiest level, so go gently and stop "
                "if it hurts. If the pain keeps coming back, see a clinician.",
            )
        back = dose_last - 1
        return out("regress", back, f"Last time {what}. So go back one step, to week {back}.")
    held = min(planned, dose_last)
    if pain >= PAIN_LIMIT:
        return out(
            "hold",
            held,
            f"Last time this was sore ({pain} out of 10). So it stays at the same level. "
            "Ease off if the soreness lasts into the next day.",
        )
    if pain_rise:
        return out("hold", held, "Your pain is up, so this stays at the same level as last time.")
    if any(g.effort == "too_hard" for g in last):
        return out("hold", held, "Last time this felt too hard, so it stays at the same level.")
    easy = len(sessions) >= EASY_SESSIONS and all(
        _too_easy(s, dose_last) for s in sessions[-EASY_SESSIONS:]
    )
    if easy and dose_last == last_week and weights:
        return out("add_weight", planned, WEIGHT_GATE)
    if easy and dose_last == last_week:
        return out(
            "continue",
            planned,
            "This felt too easy twice, but it is already at the top of your plan. "
            "Ask for a new plan to go further.",
        )
    if easy and planned <= dose_last:
        ahead = dose_last + 1
        return out(
            "progress_early",
            ahead,
            f"This felt too easy twice in a row, with little or no pain. "
            f"So you move on early, to week {ahead}.",
        )
    return out("continue", planned, _follow(planned, week))


def _follow(dose: int, week: int) -> str:
    steps = abs(dose - week)
    gap = f"{steps} step" + ("s" if steps > 1 else "")
    if dose < week:
        return (
            f"You do week {dose}. That is {gap} behind the plan, "
            "after an earlier hold or step back."
        )
    if dose > week:
        return f"You do week {dose}. That is {gap} ahead of the plan, as it felt too easy before."
    return f"You do week {dose}, as in your plan."


@dataclass(frozen=True)
class NextSession:
    exercises: tuple[dict[str, Any], ...]  # plan exercise entries, each at its decided dose
    dropped: tuple[dict[str, str], ...]  # {id, reason}: left out so the session fits


def slot_entry(
    plan: Mapping[str, Any], slot_of: Mapping[str, str], week: int, session: int, slot: str
) -> dict | None:
    """The slot's entry in a plan week (its own session first), or None if it has none."""
    sessions = plan["weeks"][week - 1]["sessions"]
    order = [sessions[session]] if session < len(sessions) else []
    for s in order + list(sessions):
        for ex in s["exercises"]:
            if slot_of[ex["id"]] == slot:
                return ex
    return None


def next_session(
    plan: Mapping[str, Any], decision: Decision, session: int = 0, week: int | None = None
) -> NextSession:
    """One session, each exercise at its decided dose.

    The exercises are those of `week`, the calendar week the day falls in (the program week
    when not given), so the rules of that week hold. Each keeps its place; its dose (in
    weeks 5-6 maybe a harder variant) comes from the plan week the decision names, when
    that week has the same slot; an exercise that week lacks keeps the day's own dose.
    Doses from different weeks can add up to more time than any week of the plan (a step
    back from a variant can mean more sets), so the least important exercises (the last)
    are left out until the session is no longer than the longest week of this session in
    the plan, which the planner fitted to the person's minutes.
    """
    _check(not decision.stop, "the program is stopped: refer, do not train")
    slot_of = slots(plan)
    weeks = plan["weeks"]
    base_week = weeks[(week or decision.week) - 1]["sessions"]
    session = min(session, len(base_week) - 1)
    chosen = []
    for ex in base_week[session]["exercises"]:
        slot = slot_of[ex["id"]]
        dose = decision.exercises[slot].dose_week
        chosen.append(slot_entry(plan, slot_of, dose, session, slot) or ex)
    budget = max(
        _seconds(w["sessions"][min(session, len(w["sessions"]) - 1)]["exercises"]) for w in weeks
    )
    dropped = []
    while _seconds(chosen) > budget + 1e-9:
        ex = chosen.pop()
        reason = "Left out today so the session fits your time, after the changes above."
        dropped.append({"id": ex["id"], "reason": reason})
    return NextSession(tuple(chosen), tuple(dropped))


def _seconds(exercises: Iterable[Mapping[str, Any]]) -> float:
    return session_seconds([Dose.from_plan(ex) for ex in exercises])
