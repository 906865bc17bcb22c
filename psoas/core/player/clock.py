"""Clocks for the player: it only ever asks a function for the time in seconds."""

from __future__ import annotations

import time
from collections.abc import Callable


def clock_with_sleep() -> float:
    """Seconds that go on counting while the computer sleeps, so a player sees a laptop's
    sleep as the gap it was (time.monotonic stands still during sleep on Linux and macOS):
    Linux's CLOCK_BOOTTIME, which is steady too; elsewhere the wall clock."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    return time.clock_gettime(boottime) if boottime is not None else time.time()


class SpeedClock:
    """A clock that runs `factor` times faster than `base`, for `--fast` sessions.

    It starts at `base()` when made and only scales what passes after, so a session on it
    keeps every step in proportion and still runs through the player's real scheduling.
    """

    def __init__(self, factor: float, base: Callable[[], float] = time.monotonic) -> None:
        if not factor > 0:
            raise ValueError(f"factor must be above 0, got {factor!r}")
        self.factor = factor
        self._base = base
        self._start = base()

    def __call__(self) -> float:
        return self._start + (self._base() - self._start) * self.factor
