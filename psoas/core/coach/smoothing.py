"""A small filter for joint angles.

Pose models jitter by a few degrees from frame to frame. An exponential moving average
with a time constant of 0.15 s takes most of that out (at 30 frames a second it keeps
about a fifth of each new frame, which cuts random jitter to about a third) and lags a
movement by about 0.15 s. A rep lasts a second or more and the lag moves its start and its
end alike, so counts, tempo and hold seconds are not thrown off. The weight follows the
real time between frames, so 5, 30 or 60 frames a second and dropped frames all smooth
the same. After a gap longer than half a second the filter starts again from the new
value instead of blending across the gap.
"""

from __future__ import annotations

import math

TAU_S = 0.15
RESTART_GAP_S = 0.5


class Ema:
    __slots__ = ("t", "tau", "value")

    def __init__(self, tau: float = TAU_S) -> None:
        self.tau = tau
        self.value: float | None = None
        self.t = 0.0

    def update(self, t: float, x: float) -> float:
        value = self.value
        dt = t - self.t
        if value is None or dt > RESTART_GAP_S or dt < 0:
            value = x
        else:
            value += (1.0 - math.exp(-dt / self.tau)) * (x - value)
        self.value, self.t = value, t
        return value
