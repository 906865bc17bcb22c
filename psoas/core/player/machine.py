"""The session player: a pure state machine that runs a session's timeline on a clock.

Every step ends at the previous step's end plus its own length, never at "now plus its
length". A process that stalls or is suspended therefore catches up on its next call
instead of stretching the session; only a pause (the person asked for it) or a skip moves
the schedule. The clock is a function passed in, so tests use a fake one and `--fast` a
sped-up one.

Catching up has a limit when a person is there to come back: a player made with an
`away_after` limit that finds, running, more than that since it last looked at the clock
(a laptop asleep, a frozen tab, a stopped process) pauses instead, where it last ran, and
says so with a `WentAway` event. Nobody saw the gap, so none of it counts as done.

Every action and `tick()` returns the events it caused, in order, including the steps
that ran out since the last call: a shell feeds them all to one handler, and saves each
exercise's result from its `ExerciseFinished` at once.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import accumulate
from typing import Any

from psoas.core.player.clock import SpeedClock
from psoas.core.player.events import (
    Event,
    ExerciseFinished,
    RepCompleted,
    SessionFinished,
    StepFinished,
    StepStarted,
    WentAway,
)
from psoas.core.player.readout import View, cue
from psoas.core.player.results import ExerciseResult, SetResult, Status
from psoas.core.player.state import FINAL, IllegalTransition, PauseReason, State
from psoas.core.player.timeline import Dose, Step, exercise_steps

__all__ = [  # the one place shells import the player from
    "AWAY_AFTER_S",
    "Event",
    "ExerciseFinished",
    "ExerciseResult",
    "IllegalTransition",
    "PauseReason",
    "Player",
    "RepCompleted",
    "SessionFinished",
    "SetResult",
    "SpeedClock",
    "State",
    "Status",
    "StepFinished",
    "StepStarted",
    "View",
    "WentAway",
    "away_after",
    "doses_from_plan_session",
]

_ACTIVE = frozenset({State.RUNNING, State.PAUSED})
_ALLOWED = {
    "start": frozenset({State.READY}),
    "pause": frozenset({State.RUNNING}),
    "resume": frozenset({State.PAUSED}),
    "skip": _ACTIVE,
    "stop_for_pain": _ACTIVE,
    "quit": _ACTIVE | {State.READY},
}


# Longer than this without the player running is an absence, not a stall: the longest
# step (a 60 s hold, a rest) fits well inside it, and a phone that locked its screen for a
# moment during a hold still counts the hold.
AWAY_AFTER_S = 120.0
# With a sped-up clock the limit shrinks with it, but never below this much real time, so
# a busy computer running a fast try-out is not taken for a person who left.
AWAY_AFTER_MIN_REAL_S = 5.0


def away_after(speed: float = 1.0) -> float:
    """The away limit on a clock `speed` times faster than real time, in that clock's
    seconds: two minutes of session time, and at least 5 real seconds."""
    return max(AWAY_AFTER_S, AWAY_AFTER_MIN_REAL_S * speed)


def doses_from_plan_session(session: dict[str, Any]) -> list[Dose]:
    """The doses of one session of a `psoas.plan/1` plan, in the plan's order."""
    return [Dose.from_plan(e) for e in session["exercises"]]


def _reps_done(step: Step, elapsed: float) -> int:
    """Reps finished `elapsed` seconds into a reps step (which always has a rep time)."""
    return min(step.reps, int(elapsed // step.rep_seconds))  # type: ignore[type-var, operator]


def _set_result(step: Step, status: Status, elapsed: float, pain: int | None) -> SetResult:
    done = status is Status.DONE
    if step.kind == "reps":
        reps = step.reps if done else _reps_done(step, elapsed)
        return SetResult(step.set_number, step.side, step.reps, reps, None, None, status, pain)
    held = step.seconds if done else round(elapsed, 1)
    return SetResult(step.set_number, step.side, None, None, step.seconds, held, status, pain)


class Player:
    """Runs one session: ready -> running <-> paused -> done | stopped_for_pain | quit.

    `away_after` (clock seconds; see `away_after()`) turns on the pause for a person who
    was away; None, for a shell nobody watches (`psoas session --no-input`), catches up
    any gap."""

    def __init__(
        self, doses: list[Dose], clock: Callable[[], float], away_after: float | None = None
    ) -> None:
        if not doses:
            raise ValueError("a session needs at least one exercise")
        if away_after is not None and not away_after > 0:
            raise ValueError(f"away_after must be above 0 seconds, got {away_after!r}")
        for d in doses:
            if d.reps is not None and not d.rep_seconds > 0:
                raise ValueError(f"{d.exercise_id}: reps need a tempo_s or hold_s above 0")
        self._clock = clock
        self._away_after = away_after
        self._doses = tuple(doses)
        self._steps: list[Step] = []
        self._exercise_of: list[int] = []  # index into doses, per step
        before = False
        for n, dose in enumerate(doses):
            for step in exercise_steps(dose, before):
                self._steps.append(step)
                self._exercise_of.append(n)
            before = dose.low
        self._last_step = {n: i for i, n in enumerate(self._exercise_of)}
        # Step i runs from _bounds[i] to _bounds[i + 1] seconds after the session's origin.
        self._bounds = list(accumulate((s.seconds for s in self._steps), initial=0.0))
        self._state = State.READY
        self._origin = 0.0  # clock time of the schedule's zero; pauses and skips move it
        self._seen = 0.0  # clock time of the last call, which `view()` describes
        self._paused_at: float | None = None
        self._paused_for: PauseReason | None = None
        self._index = 0  # the current step
        self._reps_told = 0  # reps of the current step already reported
        self._sets: list[SetResult] = []  # the current exercise's finished sets
        self._results: list[ExerciseResult] = []
        self._final_progress = 0.0

    @property
    def state(self) -> State:
        return self._state

    def results(self) -> list[ExerciseResult]:
        """Every exercise that has ended so far, in session order."""
        return list(self._results)

    # Actions ------------------------------------------------------------------------

    def start(self) -> list[Event]:
        self._check("start")
        now = self._now()
        self._origin = now
        self._state = State.RUNNING
        return [*self._enter(0, now), *self._advance(now)]

    def tick(self) -> list[Event]:
        """Catch up with the clock. Safe to call in any state; only a running session moves."""
        now, events = self._look()
        return events + self._advance(now)

    def pause(self) -> list[Event]:
        self._check("pause")
        now, events = self._look()
        events += self._advance(now)
        if self._state is State.RUNNING:  # not if the session ran out or paused as away
            self._state, self._paused_at, self._paused_for = State.PAUSED, now, PauseReason.ASKED
        return events

    def resume(self) -> list[Event]:
        """Push every remaining end back by the time spent paused. Nothing falls due."""
        self._check("resume")
        now, _ = self._look()  # paused: never away
        self._origin += now - self._paused_at  # type: ignore[operator]
        self._state, self._paused_at, self._paused_for = State.RUNNING, None, None
        return []

    def skip(self) -> list[Event]:
        """Mark the rest of the current exercise skipped and start the next one now."""
        self._check("skip")
        now, events = self._look()
        events += self._advance(now)
        if self._state not in _ACTIVE:
            return events
        ref = self._ref()
        following = self._last_step[self._exercise_of[self._index]] + 1
        events += self._cut(Status.SKIPPED, ref, now)
        self._origin = ref - self._bounds[following]
        return events + self._enter(following, now)

    def stop_for_pain(self, pain: int) -> list[Event]:
        """End the session; the exercise in progress keeps its pain score on its unfinished sets."""
        if isinstance(pain, bool) or not isinstance(pain, int) or not 0 <= pain <= 10:
            raise ValueError(f"pain must be a whole number from 0 to 10, got {pain!r}")
        self._check("stop_for_pain")
        return self._end(State.STOPPED_FOR_PAIN, Status.STOPPED_FOR_PAIN, pain)

    def quit(self) -> list[Event]:
        """End the session; the exercise in progress is saved with its sets marked quit."""
        self._check("quit")
        if self._state is State.READY:
            self._state = State.QUIT
            return [SessionFinished(State.QUIT, self._look()[0])]
        return self._end(State.QUIT, Status.QUIT, None)

    # Read-out -----------------------------------------------------------------------

    def view(self) -> View:
        """The session as of the last action or tick (call `tick()` first to be current)."""
        if self._state in FINAL:
            return View(
                state=self._state,
                step=None,
                seconds_left=0.0,
                step_progress=0.0,
                rep=None,
                side="none",
                set_number=0,
                sets=0,
                exercise_number=0,
                exercises=len(self._doses),
                next_step=None,
                session_progress=self._final_progress,
                cue=None,
                paused_for=None,
            )
        i = self._index
        step = self._steps[i]
        elapsed = self._elapsed(self._ref()) if self._state is not State.READY else 0.0
        reps_step = step.kind == "reps"
        return View(
            state=self._state,
            step=step,
            seconds_left=step.seconds - elapsed,
            step_progress=elapsed / step.seconds if step.seconds else 1.0,
            rep=min(step.reps, _reps_done(step, elapsed) + 1) if reps_step else None,  # type: ignore[type-var]
            side=step.side,
            set_number=max(step.set_number, 1),
            sets=self._doses[self._exercise_of[i]].total_sets,
            exercise_number=self._exercise_of[i] + 1,
            exercises=len(self._doses),
            next_step=self._steps[i + 1] if i + 1 < len(self._steps) else None,
            session_progress=self._progress(elapsed),
            cue=cue(step, elapsed),
            paused_for=self._paused_for if self._state is State.PAUSED else None,
        )

    # Internals ----------------------------------------------------------------------

    def _check(self, action: str) -> None:
        if self._state not in _ALLOWED[action]:
            raise IllegalTransition(action, self._state, _ALLOWED[action])

    def _now(self) -> float:
        self._seen = self._clock()
        return self._seen

    def _look(self) -> tuple[float, list[Event]]:
        """Read the clock. Running, a gap since the last look longer than the away limit
        means nobody was there: the session pauses where it last ran (every earlier look
        already finished the steps due by then), and the gap counts for nothing."""
        last = self._seen
        now = self._now()
        limit = self._away_after
        if self._state is State.RUNNING and limit is not None and now - last > limit:
            self._state, self._paused_at, self._paused_for = State.PAUSED, last, PauseReason.AWAY
            return now, [WentAway(last, now)]
        return now, []

    def _ref(self) -> float:
        """The time the schedule stands at: frozen while paused."""
        return self._paused_at if self._paused_at is not None else self._seen

    def _elapsed(self, ref: float) -> float:
        step_start = self._origin + self._bounds[self._index]
        return min(max(ref - step_start, 0.0), self._steps[self._index].seconds)

    def _progress(self, elapsed: float) -> float:
        return (self._bounds[self._index] + elapsed) / self._bounds[-1]  # get ready makes it > 0

    def _advance(self, now: float) -> list[Event]:
        """Finish every step whose end has passed, each at its scheduled end."""
        events: list[Event] = []
        while self._state is State.RUNNING:
            i = self._index
            end = self._origin + self._bounds[i + 1]
            due = now >= end
            if self._steps[i].kind == "reps":
                events += self._tell_reps(end if due else now, end, due)
            if not due:
                break
            events += self._finish(i, Status.DONE, end, self._steps[i].seconds, None)
            events += self._enter(i + 1, end)
        return events

    def _tell_reps(self, t: float, end: float, finished: bool) -> list[Event]:
        """One event per rep completed by time t, each at the time its tempo says."""
        i, step = self._index, self._steps[self._index]
        start = self._origin + self._bounds[i]
        done = (step.reps or 0) if finished else _reps_done(step, t - start)
        told, self._reps_told = self._reps_told, max(self._reps_told, done)
        return [
            RepCompleted(i, step, k, min(start + k * step.rep_seconds, end))  # type: ignore[operator]
            for k in range(told + 1, done + 1)
        ]

    def _enter(self, i: int, at: float) -> list[Event]:
        self._index, self._reps_told = i, 0
        if i < len(self._steps):
            return [StepStarted(i, self._steps[i], at)]
        self._state, self._paused_at, self._final_progress = State.DONE, None, 1.0
        self._paused_for = None
        return [SessionFinished(State.DONE, at)]

    def _finish(
        self, i: int, status: Status, at: float, elapsed: float, pain: int | None
    ) -> list[Event]:
        step = self._steps[i]
        events: list[Event] = [StepFinished(i, step, status, at)]
        if step.kind in ("hold", "reps"):
            self._sets.append(_set_result(step, status, elapsed, pain))
        n = self._exercise_of[i]
        if i == self._last_step[n]:
            result = ExerciseResult(step.exercise_id, n, tuple(self._sets))
            self._sets = []
            self._results.append(result)
            events.append(ExerciseFinished(result, at))
        return events

    def _cut(self, status: Status, ref: float, at: float, pain: int | None = None) -> list[Event]:
        """End the current exercise early: the step in progress keeps what was done."""
        i = self._index
        events = self._finish(i, status, at, self._elapsed(ref), pain)
        for j in range(i + 1, self._last_step[self._exercise_of[i]] + 1):
            events += self._finish(j, status, at, 0.0, pain)
        return events

    def _end(self, state: State, status: Status, pain: int | None) -> list[Event]:
        now, events = self._look()
        events += self._advance(now)
        if self._state not in _ACTIVE:  # the session ran out before the key press
            return events
        ref = self._ref()
        self._final_progress = self._progress(self._elapsed(ref))
        events += self._cut(status, ref, now, pain)
        self._state, self._paused_at, self._paused_for = state, None, None
        return [*events, SessionFinished(state, now)]
