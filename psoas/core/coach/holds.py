"""Timing holds, with a grace period for brief drop-outs.

A hold runs while the position is right. A pose model loses a joint for a few frames now
and then, and a person wobbles out and straight back in; neither should end a 30-second
stretch. So the timer ends a hold only when the position has been wrong (or unseen) for
longer than `grace_s`. A short gap inside a hold counts as held. Holds shorter than
`min_hold_s` are passing through the position, not holding it, and are not reported. A
hold still going when the frames end counts up to its last right moment.

Frames are moments apart (a fifth of a second in a 5 fps clip, more when frames are
dropped), so a hold's edges are put half-way between the last frame seen out of position
and the first seen in it, and the other way round at the end; where the frame beside an
edge was not seen at all, the edge is the last frame seen in position.
"""

from __future__ import annotations

from dataclasses import dataclass

EDGE_GAP_S = 0.5  # frames further apart than this do not split the difference


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
        self.last_out: float | None = None  # the last frame seen out of position
        self.first_out: float | None = None  # the first seen out after the last right one

    def update(self, t: float, ok: bool | None) -> Hold | None:
        """Feed each frame's verdict: True in position, False seen out of it, None not
        seen. Returns a Hold when one ends."""
        if ok:
            if not self.holding:
                out = self.last_out
                self.holding = True
                self.start = (out + t) / 2 if out is not None and t - out <= EDGE_GAP_S else t
            self.last_ok, self.first_out = t, None
            return None
        if ok is False:
            self.last_out = t
            if self.holding and self.first_out is None:
                self.first_out = t
        else:
            self.last_out = None  # an unseen frame: the next edge is not split
        if self.holding and t - self.last_ok > self.grace_s:
            return self.finish()
        return None

    def seconds(self) -> float:
        """The current hold's seconds so far (0 when not holding)."""
        return self.last_ok - self.start if self.holding else 0.0

    def finish(self) -> Hold | None:
        """End the current hold (when out too long, or at the end of the frames)."""
        if not self.holding:
            return None
        self.holding = False
        out, end = self.first_out, self.last_ok
        if out is not None and out - end <= EDGE_GAP_S:
            end = (end + out) / 2
        hold = Hold(self.start, end)
        return hold if hold.seconds >= self.min_hold_s else None
