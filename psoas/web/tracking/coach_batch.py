"""A batch of landmarks from the browser, read into the core's frames.

The page runs MediaPipe's pose model on the camera and sends, every quarter of a second
or so, the frames it read since the last batch: per frame its time `t` in seconds (the
browser's clock: `performance.timeOrigin + performance.now()`, which keeps running across
a reload), the 33 image landmarks as `[x, y, z, visibility]` or null when no one was
found, optionally the 33 world landmarks as `[x, y, z]`, and the picture's `aspect`. The
core's `Frame.from_json` checks each frame; here the times are checked across the batch
and against the batch before, and moved so that the coach's clock starts at 0.
"""

from __future__ import annotations

from typing import Any

from psoas.core.coach import Frame

MAX_FRAMES = 120  # four seconds at 30 frames a second: a batch is about a quarter of that


class BatchError(ValueError):
    """A wrong frame: `loc` is where it is in the body (["frames", 3, "t"])."""

    def __init__(self, loc: list[str | int], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def read_frames(
    raw: list[Any], t0: float | None, last_t: float | None
) -> tuple[list[Frame], float]:
    """The batch as frames whose `t` counts from `t0` (the first frame's own time when
    None: a new run), each at or after the one before it (`last_t`, on the coach's
    clock, for the batch's first frame); and `t0`."""
    frames = []
    for i, item in enumerate(raw):
        try:
            frame = Frame.from_json(item)
        except ValueError as exc:
            field = str(exc).split(":", 1)[0].split("[", 1)[0]  # "points[3]: ..." -> points
            loc: list[str | int] = ["frames", i] if field == "frame" else ["frames", i, field]
            raise BatchError(loc, str(exc)) from None
        if t0 is None:
            t0 = frame.t
        t = frame.t - t0
        if last_t is not None and t < last_t:
            raise BatchError(
                ["frames", i, "t"],
                f"t: {frame.t} is before the frame sent before it ({last_t + t0}); "
                "send frames in time order",
            )
        if t > 24 * 3600:
            raise BatchError(["frames", i, "t"], f"t: {frame.t} is over a day after the first")
        frames.append(Frame(t, frame.points, frame.world, frame.aspect))
        last_t = t
    return frames, t0 or 0.0
