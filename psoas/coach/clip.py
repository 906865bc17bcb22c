"""A recorded clip analysed end to end: decode, pose, the core's coach. One function, used
by `psoas analyze` and by the clinic's clip uploads (psoas/web/clips), so both give the same
report and the same one-line errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

# Wraps the frames on their way to the analysis (a progress bar): frames, total or None.
Progress = Callable[[Iterable[Any], int | None], Iterator[Any]]


def analyze_clip(
    video: Path,
    exercise: Any,
    side: str,
    crop: Any = None,
    name: str = "VIDEO",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The psoas.analysis/1 report of `video`; VideoError (naming `name`) for a file that
    is not a readable video or picture, CoachUnavailable without the coach extra."""
    from contextlib import closing

    from psoas.coach import quiet_native_logs
    from psoas.coach.pose import track
    from psoas.coach.video import open_clip
    from psoas.core.coach import analyze as analyze_frames

    # The frames are closed here, not left to the garbage collector: if the analysis
    # stops part-way (an error, Ctrl+C), MediaPipe's graph must shut down before the
    # interpreter does, or closing it then waits forever.
    with quiet_native_logs():
        clip = open_clip(video, crop, name)
        with closing(track(clip)) as frames:
            if progress is None:
                return analyze_frames(frames, exercise, side)
            with closing(progress(frames, clip.frame_count)) as shown:
                return analyze_frames(shown, exercise, side)
