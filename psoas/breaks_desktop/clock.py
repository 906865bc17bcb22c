"""The break runner's clock: the wall clock, or a sped-up one for tests and try-outs.

`PSOAS_BREAKS_SPEED=60` makes a minute pass in a second: a 30-minute interval comes every
30 seconds, a 2-minute break takes 2 seconds, and idle time read from the desktop counts
60 times over. It is for tests and try-outs only. Every process that shares a sped-up
timeline must agree on where it started: `PSOAS_BREAKS_EPOCH` (Unix seconds) names that
instant, and the runner sets it for the processes it starts (the guided break), so their
events land on the runner's timeline. Without a speed, the clock is the wall clock: a
laptop that slept finds the time moved on.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

SPEED_ENV, EPOCH_ENV = "PSOAS_BREAKS_SPEED", "PSOAS_BREAKS_EPOCH"
SPEED_MAX = 10_000.0


class ClockError(ValueError):
    """A bad PSOAS_BREAKS_SPEED or PSOAS_BREAKS_EPOCH, in words that name it."""


def speed_from_env(environ: dict[str, str] | None = None) -> float:
    """The speed PSOAS_BREAKS_SPEED asks for: 1 when unset."""
    text = (environ if environ is not None else os.environ).get(SPEED_ENV, "").strip()
    if not text:
        return 1.0
    try:
        speed = float(text)
    except ValueError:
        raise ClockError(f"{SPEED_ENV}: '{text}' is not a number; give 1 to 10000") from None
    if not 1 <= speed <= SPEED_MAX:
        raise ClockError(f"{SPEED_ENV}: must be from 1 to 10000 (got {text})")
    return speed


@dataclass
class BreakClock:
    """Time on the break timeline: `now()` is `epoch + (real now - epoch) * speed`."""

    speed: float = 1.0
    epoch: float = field(default_factory=time.time)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> BreakClock:
        env = environ if environ is not None else os.environ
        speed = speed_from_env(env)
        text = env.get(EPOCH_ENV, "").strip()
        if speed == 1 or not text:
            return cls(speed)
        try:
            return cls(speed, float(text))
        except ValueError:
            raise ClockError(f"{EPOCH_ENV}: '{text}' is not a time in Unix seconds") from None

    def share(self) -> None:
        """Let the processes this one starts run on the same timeline."""
        if self.speed != 1:
            os.environ[SPEED_ENV] = f"{self.speed:g}"
            os.environ[EPOCH_ENV] = repr(self.epoch)

    def now(self) -> datetime:
        real = time.time()
        return datetime.fromtimestamp(self.epoch + (real - self.epoch) * self.speed, UTC)

    def real_seconds(self, seconds: float) -> float:
        """How long `seconds` on this clock take in real time."""
        return seconds / self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, self.real_seconds(seconds)))
