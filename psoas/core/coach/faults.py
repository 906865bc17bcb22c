"""Form-fault rules: an angle past a limit, held long enough, named one at a time.

Each rule is one of the exercise's own common faults, said in its own words, as an angle
limit at least 10 degrees past the exercise's key pose: side views are off by a few
degrees (docs/coach.md), so a tighter limit would call faults on good form. A rule must
hold for `PERSIST_S` so one wild frame never names a fault. Only one fault is named at a
time, the first in the exercise's list (its priority order): a person can fix one thing
at a time, and a list of corrections mid-rep helps no one. A rule's angle is only read
when the camera sees its joints.
"""

from __future__ import annotations

from psoas.core.coach.smoothing import Ema

PERSIST_S = 0.3
RELEASE_DEG = 2.0  # a fault clears only when the angle is back this far inside the limit


class FaultRules:
    def __init__(self, limits: list[tuple[float | None, float | None]]) -> None:
        """`limits`: (above, below) per rule, in priority order."""
        self.limits = limits
        self.since: list[float | None] = [None] * len(limits)
        self.smooth = [Ema() for _ in limits]

    def reset(self) -> None:
        self.since = [None] * len(self.limits)

    def update(self, t: float, values: list[float | None]) -> int | None:
        """This frame's angles per rule (None: unseen). Returns the index of the fault
        to name now, or None."""
        current = None
        for i, value in enumerate(values):
            if value is None:
                self.since[i] = None
                continue
            v = self.smooth[i].update(t, value)
            above, below = self.limits[i]
            since = self.since[i]
            if above is not None:
                bad = v > above if since is None else v > above - RELEASE_DEG
            else:
                bad = v < below if since is None else v < below + RELEASE_DEG  # type: ignore[operator]
            if not bad:
                self.since[i] = None
            elif since is None:
                self.since[i] = t
            elif current is None and t - since >= PERSIST_S:
                current = i
        return current
