"""The coach: frames in, counts, holds, faults and one cue out.

`Coach` is the one implementation of every rule. The browser feeds it small batches of
landmarks as a person moves and shows or speaks its cue; `analyze` (analysis.py) feeds it
a whole clip and reads the result. Each frame goes through the same steps: is anyone
there, from which side does the camera see them, can it see the parts this exercise needs
(else "I can't see your knee", never a fault), the exercise's angle smoothed, then the
rep counter or the hold timer, and the fault rules while a rep or hold is under way.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass

from psoas.core.coach import state
from psoas.core.coach.faults import FaultRules
from psoas.core.coach.holds import Hold, HoldTimer
from psoas.core.coach.landmarks import Frame
from psoas.core.coach.metrics import facing_cue, needs_facing, reader
from psoas.core.coach.reps import RepCounter
from psoas.core.coach.smoothing import Ema
from psoas.core.coach.view import ViewCheck
from psoas.core.coach.visibility import Gate
from psoas.core.content.models import Coached, Exercise, Illustration
from psoas.core.figure import body
from psoas.core.figure.kinematics import skeleton

NO_PERSON_CUE_S = 1.0  # how long no one is in the picture before the coach says so
HIDDEN_CUE_S = 0.5  # how long a needed part is hidden before the coach says so
VIEW_CUE_S = 1.0
FACING_FLIP_FRAMES = 3  # votes in a row it takes to believe the person turned round
# The frame rate is the median time between the last this many frames (10 s at 30 a
# second): exact for a clip at a steady rate, and the state the browser coach keeps
# between batches stays the same size however long the exercise lasts.
FPS_GAPS = 300

PLACE_CAMERA = {
    "side": "Set the camera at your side, so it sees you side-on.",
    "front": "Set the camera in front of you, so it sees you face-on.",
}


# What a Coach is made of (the exercise's rules, read once, and functions of them) as
# against what it has seen: `state()` leaves these out and `resume()` makes them again.
MADE_FROM_RULES = frozenset(
    ("exercise", "rules", "side", "angle", "fault_angles", "facing_vote", "gate", "sign")
)


class NotCoachable(ValueError):
    """The exercise says the camera cannot coach it; the message says why."""


@dataclass(frozen=True)
class Cue:
    """What the coach says now: `kind` is no_person, cannot_see, view or fault."""

    kind: str
    id: str
    message: str


@dataclass(frozen=True)
class Status:
    t: float
    reps: int
    in_rep: bool
    holding: bool
    hold_s: float  # the hold under way, so far
    holds: int  # holds finished
    view: str
    cue: Cue | None


def head_side(ill: Illustration) -> float:
    """Which side of the picture the figure's head is on when the body lies along it
    (lying, on all fours, deep in a lizard), +1 right, -1 left; 0 when upright in either
    key pose, where the face tells the way instead."""
    signs = set()
    for pose in (ill.start, ill.end):
        j = skeleton(body.resolve(pose.base, pose.joints), body.BASES[pose.base])
        x, y = j["neck"][0], j["neck"][1]
        if abs(x) < 0.7 * math.hypot(x, y):
            return 0.0
        signs.add(1.0 if x > 0 else -1.0)
    return signs.pop() if len(signs) == 1 else 0.0


class Coach:
    def __init__(self, exercise: Exercise, side: str = "right") -> None:
        if side not in ("left", "right"):
            raise ValueError(f"side: '{side}' is not allowed; allowed: left, right")
        rules = exercise.coach
        if not isinstance(rules, Coached):
            raise NotCoachable(f"The camera cannot coach {exercise.name}: {rules.why}")
        self.exercise, self.rules, self.side = exercise, rules, side
        pitch = body.BASES[exercise.illustration.end.base].pitch
        self.angle = reader(rules.angle, side, pitch)
        self.fault_angles = [reader(f.angle, side, pitch) for f in rules.faults]
        self.faults = FaultRules([(f.above, f.below) for f in rules.faults])
        specs = [rules.angle, *(f.angle for f in rules.faults)]
        self.facing_vote = (
            facing_cue(head_side(exercise.illustration))
            if any(needs_facing(s) for s in specs)
            else None
        )
        self.facing, self.flip_votes = 1.0, 0
        self.gate = Gate(rules.see, side)
        self.view_check = ViewCheck()
        self.smooth = Ema()
        self.counter = RepCounter(rules.enter, rules.exit, rules.min_rep_s or 0.0)
        self.timer = HoldTimer(rules.grace_s, rules.min_hold_s)
        self.sign = 1.0 if rules.enter > rules.exit else -1.0
        self.in_zone = False
        # What happened, for the result.
        self.frames = self.person_frames = 0
        self.first_t: float | None = None
        self.last_t = 0.0
        self.gaps: deque[float] = deque(maxlen=FPS_GAPS)  # for the clip's frame rate
        self.views: Counter[str] = Counter()
        self.hidden: Counter[str] = Counter()  # frames each part was hidden
        self.hold_log: list[Hold] = []
        self.fault_log: dict[tuple[int, str], float] = {}
        # What is happening now, for the cue.
        self.missing_since: float | None = None
        self.hidden_part: str | None = None
        self.hidden_since = 0.0
        self.wrong_view_since: float | None = None
        self.fault_now: int | None = None
        self.judging = False

    def feed(self, frames: Iterable[Frame]) -> Status:
        """Take frames in time order; return where things stand after the last one."""
        for f in frames:
            self._frame(f)
        return self.status()

    def _frame(self, f: Frame) -> None:
        t = f.t
        self.frames += 1
        if self.first_t is None:
            self.first_t = t
        elif t > self.last_t:
            self.gaps.append(t - self.last_t)
        self.last_t = t
        points = f.points
        if points is None:
            if self.missing_since is None:
                self.missing_since = t
            self._unseen(t)
            return
        self.missing_since = None
        self.person_frames += 1
        view = self.view_check.update(f)
        self.views[view] += 1
        if view in ("unknown", self.rules.view):
            self.wrong_view_since = None
        elif self.wrong_view_since is None:
            self.wrong_view_since = t
        if self.facing_vote is not None:
            self._face(f)
        part = self.gate.hidden(points)
        if part is not None:
            if part != self.hidden_part:
                self.hidden_part, self.hidden_since = part, t
            self.hidden[part] += 1
            self._unseen(t)
            return
        self.hidden_part = None
        raw = self.angle(f, self.facing)
        if raw is None:
            self._unseen(t)
            return
        angle = self.smooth.update(t, raw)
        if self.rules.mode == "reps":
            self.counter.update(t, angle)
            self._judge(f, self.counter.in_rep, len(self.counter.reps) + 1)
            return
        a, enter, exit_ = (
            angle * self.sign,
            self.rules.enter * self.sign,
            self.rules.exit * self.sign,
        )
        self.in_zone = a >= enter if not self.in_zone else a > exit_
        # Faults are judged from the moment the angle passes exit on its way in: leaning
        # forward in a stretch can keep the hip from reaching enter at all.
        self._judge(f, a > exit_, len(self.hold_log) + 1)
        hold = self.timer.update(t, self.in_zone and self.fault_now is None)
        if hold is not None:
            self.hold_log.append(hold)

    def _judge(self, f: Frame, under_way: bool, number: int) -> None:
        """Fault rules run only while a rep or a hold is under way: leaning forward while
        standing between lunges is not a lunge fault."""
        if not under_way or not self.fault_angles:
            if self.judging:
                self.faults.reset()
                self.judging, self.fault_now = False, None
            return
        self.judging = True
        values = [read(f, self.facing) for read in self.fault_angles]
        self.fault_now = self.faults.update(f.t, values)
        if self.fault_now is not None:
            key = (number, self.rules.faults[self.fault_now].id)
            self.fault_log.setdefault(key, f.t)

    def _unseen(self, t: float) -> None:
        """A frame where the coach cannot judge: holds wait out their grace."""
        if self.judging:
            self.faults.reset()
            self.judging, self.fault_now = False, None
        if self.rules.mode == "hold":
            hold = self.timer.update(t, None)
            if hold is not None:
                self.hold_log.append(hold)

    def _face(self, f: Frame) -> None:
        vote = self.facing_vote(f)  # type: ignore[misc]
        if vote == 0.0 or vote == self.facing:
            self.flip_votes = 0
            return
        self.flip_votes += 1
        if self.flip_votes >= FACING_FLIP_FRAMES or self.person_frames <= FACING_FLIP_FRAMES:
            self.facing, self.flip_votes = vote, 0

    def cue(self) -> Cue | None:
        """At most one thing to say, the most useful first: nobody there, a part hidden,
        the camera in the wrong place, then the fault."""
        t, place = self.last_t, PLACE_CAMERA[self.rules.view]
        if self.missing_since is not None and t - self.missing_since >= NO_PERSON_CUE_S:
            return Cue("no_person", "no_person", "I can't see you. Step into the picture.")
        if self.hidden_part is not None and t - self.hidden_since >= HIDDEN_CUE_S:
            words = self.gate.words(self.hidden_part)
            return Cue("cannot_see", self.hidden_part, f"I can't see {words}. {place}")
        if self.wrong_view_since is not None and t - self.wrong_view_since >= VIEW_CUE_S:
            return Cue("view", "wrong_view", place)
        if self.fault_now is not None:
            rule = self.rules.faults[self.fault_now]
            return Cue("fault", rule.id, self.exercise.common_faults[rule.common_fault])
        return None

    def status(self) -> Status:
        return Status(
            t=self.last_t,
            reps=len(self.counter.reps),
            in_rep=self.counter.in_rep,
            holding=self.timer.holding,
            hold_s=self.timer.seconds(),
            holds=len(self.hold_log),
            view=self.view_check.view,
            cue=self.cue(),
        )

    def state(self) -> str:
        """What the coach has seen so far, as JSON (state.py), to keep between batches:
        without the exercise or its rules, which `resume` reads again. The web app keeps
        it in the store, so the next batch may reach any app server."""
        return state.dump({k: v for k, v in vars(self).items() if k not in MADE_FROM_RULES})

    @classmethod
    def resume(cls, exercise: Exercise, side: str, saved: str) -> Coach:
        """A coach for `exercise` on `side` that goes on from `state()`, as if every
        earlier frame had been fed to it. ValueError when `saved` is not such a state."""
        coach = cls(exercise, side)
        seen = state.load(saved)
        if not isinstance(seen, dict) or set(seen) != set(vars(coach)) - MADE_FROM_RULES:
            raise ValueError("not a coach state: its fields are not the coach's")
        coach.__dict__.update(seen)
        return coach

    def finish(self) -> None:
        """The frames have ended: a hold under way counts up to its last right moment
        (a rep under way does not count)."""
        hold = self.timer.finish()
        if hold is not None:
            self.hold_log.append(hold)
