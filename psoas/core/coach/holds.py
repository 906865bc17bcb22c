"""Timing holds, with a grace period for brief drop-outs.

A hold runs while the position is right. A pose model loses a joint for a few frames now
and then, and a person wobbles out and straight back in; neither should end a 30-second
stretch. So the timer ends a hold only when the position has been wrong (or unseen) for
longer than `grace_s`; it then ends at the last moment the position was right. A short
gap inside a hold counts as held. Holds shorter than `min_hold_s` are passing through the
position, not holding it, and are not reported. A hold still going when the frames end
counts up to its last right moment.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hold:
    start_s: float
    end_s: float

    @property
    def seconds(self) -> float:
        return self.end_s - self.start_s


class HoldTimer:
    def __init__(self, grace_s: float, min_hold_s: float) -> None:
        self.grace_s, self.min_hold_s = grace_s, min_hold_s
        self.holding = False
        self.start = self.last_ok = 0.0

    def update(self, t: float, ok: bool) -> Hold | None:
        """Feed each frame's verdict (position right or not, unseen is not); returns a
        Hold when one ends."""
        if ok:
            if not self.holding:
                self.holding, self.start = True, t
            self.last_ok = t
            return None
        if self.holding and t - self.last_ok > self.grace_s:
            return self.finish()
        return None

    def seconds(self) -> float:
        """The current hold's seconds so far (0 when not holding)."""
        return self.last_ok - self.start if self.holding else 0.0

    def finish(self) -> Hold | None:
        """End the current hold (at the end of the frames)."""
        if not self.holding:
            return None
        self.holding = False
        hold = Hold(self.start, self.last_ok)
        return hold if hold.seconds >= self.min_hold_s else None
