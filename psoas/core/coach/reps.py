"""Counting reps with two thresholds and a minimum time.

One threshold would count twice when the angle wobbles across it. So a rep has two:
it starts when the angle leaves the rest side of `exit`, is under way once it passes
`enter`, and counts when it comes back past `exit`. A move that turns back before
`enter` is a partial rep, and one that comes back faster than `min_rep_s` is a bounce or
a glitch: neither counts. A rep still under way when the frames end is not counted; the
counter also waits to see the rest side once before it starts, so a clip that begins
half-way down does not count half a rep.

The count comes the moment the angle is back past `exit`, but a rep's time runs from
when the body was last still at rest before it to when it is still again after it
("still": within a quarter of the way from the rest angle to `exit`), so its tempo is
the whole movement's, as the dosing's tempo means.
"""

from __future__ import annotations

from dataclasses import dataclass

QUIET = 0.25  # "at rest": within this share of the way from the rest angle to exit
SETTLE_S = 1.0  # how long after a rep its end may still move to the moment of rest


@dataclass
class Rep:
    start_s: float
    end_s: float
    rom_deg: float  # from the rest position before it to the furthest point

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
        self.start = self.quiet_t = 0.0
        self.rest_low = 0.0  # the most rest-ward angle since the last rest began
        self.peak = 0.0
        self.settling: Rep | None = None  # the last rep, until the body is still again
        self.partial = 0  # moves that went at least half-way to enter and turned back
        self.too_fast = 0

    @property
    def in_rep(self) -> bool:
        return self.state in ("moving", "active")

    def update(self, t: float, angle: float) -> bool:
        """Returns True when this frame completes a rep."""
        a = angle * self.sign
        state = self.state
        if state == "rest":
            quiet = self.rest_low + QUIET * (self.exit - self.rest_low)
            if a <= quiet:
                self.quiet_t = t
                if self.settling is not None:
                    if t - self.settling.end_s <= SETTLE_S:
                        self.settling.end_s = t
                    self.settling = None
            if a > self.exit:
                self.state, self.peak, self.settling = "moving", a, None
                self.start = self.quiet_t if t - self.quiet_t <= SETTLE_S else t
            elif a < self.rest_low:
                self.rest_low = a
            return False
        if state == "waiting":
            if a <= self.exit:
                self.state, self.rest_low, self.quiet_t = "rest", a, t
            return False
        if a > self.peak:
            self.peak = a
        if state == "moving" and a >= self.enter:
            self.state = "active"
        elif a <= self.exit:
            rom = self.peak - self.rest_low
            self.state, self.rest_low = "rest", min(self.rest_low, a)
            if state == "moving":
                if self.peak >= (self.exit + self.enter) / 2:
                    self.partial += 1
            elif t - self.start < self.min_rep_s:
                self.too_fast += 1
            else:
                self.settling = Rep(self.start, t, rom)
                self.reps.append(self.settling)
                return True
        return False
