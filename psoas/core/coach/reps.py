"""Counting reps with two thresholds and a minimum time.

One threshold would count twice when the angle wobbles across it. So a rep has two:
it starts when the angle leaves the rest side of `exit`, is under way once it passes
`enter`, and counts when it comes back past `exit`. A move that turns back before
`enter` is a partial rep, and one that comes back faster than `min_rep_s` is a bounce or
a glitch: neither counts. A rep still under way when the frames end is not counted; the
counter also waits to see the rest side once before it starts, so a clip that begins
half-way down does not count half a rep.

The count comes the moment the angle is back past `exit`. A rep's range runs from the
rest level before it (a slow average of the angle at rest, so jitter does not move it)
to its furthest point, and its time from when the angle was last within a tenth of that
range from rest to when it is back within it (looked for up to `SETTLE_S` after the
count), so its tempo is the whole movement's, as the dosing's tempo means.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

EDGE = 0.1  # a rep starts and ends this share of its range away from the rest level
SETTLE_S = 1.0  # how long after the count its end may still move to the moment of rest
LEVEL_TAU_S = 0.5  # the rest level: a slow average of the angle at rest
PRE_ROLL = 60  # rest frames kept to find where a rep began


@dataclass
class Rep:
    start_s: float
    end_s: float
    rom_deg: float

    @property
    def tempo_s(self) -> float:
        return self.end_s - self.start_s


class RepCounter:
    """`update(t, angle)` with smoothed angles; completed reps are in `reps`."""

    def __init__(self, enter: float, exit: float, min_rep_s: float) -> None:
        # Work with the angle's sign flipped when the movement lowers it, so that "into
        # the movement" is always "up".
        self.sign = 1.0 if enter > exit else -1.0
        self.enter, self.exit = enter * self.sign, exit * self.sign
        self.min_rep_s = min_rep_s
        self.state = "waiting"  # waiting -> rest -> moving -> active -> rest
        self.reps: list[Rep] = []
        self.t = 0.0
        self.level = 0.0
        self.peak = 0.0
        self.recent: deque[tuple[float, float]] = deque(maxlen=PRE_ROLL)
        self.rising: list[tuple[float, float]] = []  # the rep's frames up to its peak
        self.settling: tuple[Rep, float] | None = None  # the last rep, its edge line
        self.partial = 0  # moves that went at least half-way to enter and turned back
        self.too_fast = 0

    @property
    def in_rep(self) -> bool:
        return self.state in ("moving", "active")

    def update(self, t: float, angle: float) -> bool:
        """Returns True when this frame completes a rep."""
        a = angle * self.sign
        state = self.state
        dt, self.t = t - self.t, t
        if state == "rest":
            self._rest(t, a, dt)
            return False
        if state == "waiting":
            if a <= self.exit:
                self.state, self.level = "rest", a
            return False
        if a > self.peak:
            self.peak = a
            self.rising.append((t, a))
            del self.rising[: -PRE_ROLL * 4]
        if state == "moving" and a >= self.enter:
            self.state = "active"
        elif a <= self.exit:
            self.state = "rest"
            rest_before, self.recent = self.recent, deque(maxlen=PRE_ROLL)
            if state == "moving":
                if self.peak >= (self.exit + self.enter) / 2:
                    self.partial += 1
                return False
            line = self.level + EDGE * (self.peak - self.level)
            start = next((s for s, v in reversed(self.rising) if v <= line), None)
            if start is None:
                start = next((s for s, v in reversed(rest_before) if v <= line), self.rising[0][0])
            if t - start < self.min_rep_s:
                self.too_fast += 1
                return False
            rep = Rep(start, t, self.peak - self.level)
            self.reps.append(rep)
            self.settling = (rep, line)
            return True
        return False

    def _rest(self, t: float, a: float, dt: float) -> None:
        if self.settling is not None:
            rep, line = self.settling
            if t - rep.end_s > SETTLE_S:
                self.settling = None
            elif a <= line:
                rep.end_s, self.settling = t, None
        if a > self.exit:  # a new rep begins
            self.state, self.peak, self.settling = "moving", a, None
            self.rising = [(t, a)]
            return
        if a <= (self.level + self.exit) / 2:
            # Frames half-way to exit and beyond are a rep starting, not rest.
            self.level += (a - self.level) * (1.0 - math.exp(-max(dt, 0.0) / LEVEL_TAU_S))
        self.recent.append((t, a))
