"""MediaPipe's pose model behind a small interface: RGB frames in, landmark frames out.

The model is the legacy `mp.solutions.pose.Pose` with the full landmark model
(model_complexity 1), whose weights ship inside the mediapipe wheel: nothing is downloaded
when it runs (complexity 0 and 2 would fetch theirs on first use, so they are not offered).
A clip runs in video mode, where each frame's search starts from the last one's person;
a still picture runs in still mode. One person only: the model finds the most prominent
one, which is why `psoas analyze` takes a crop.

What comes out is the core's landmark frame (psoas.core.coach), so everything after this
module is pure and is tested without the model.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from psoas.coach import need_extra
from psoas.coach.video import Clip, RgbFrame
from psoas.core.coach.landmarks import Frame

MODEL_COMPLEXITY = 1  # "full": the one whose weights are in the wheel
MIN_DETECTION = 0.5  # MediaPipe's defaults, which the fixtures' figures were measured with
MIN_TRACKING = 0.5


class PoseModel:
    """One pose model for one clip (video mode keeps state from frame to frame) or for
    still pictures. Use it in a `with` block, or call close()."""

    def __init__(self, still: bool = False):
        need_extra("mediapipe")
        os.environ.setdefault("GLOG_minloglevel", "2")  # before MediaPipe loads
        from mediapipe.python.solutions import pose

        self.still = still
        self._pose = pose.Pose(
            static_image_mode=still,
            model_complexity=MODEL_COMPLEXITY,
            smooth_landmarks=True,
            enable_segmentation=False,
            min_detection_confidence=MIN_DETECTION,
            min_tracking_confidence=MIN_TRACKING,
        )

    def __enter__(self) -> PoseModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pose.close()

    def detect(self, frame: RgbFrame) -> Frame:
        """The person's landmarks in one frame (the frames of a clip in order)."""
        result = self._pose.process(frame.image)
        height, width = frame.image.shape[:2]
        return landmark_frame(frame.t_s, width / height, result)


def landmark_frame(t_s: float, aspect: float, result: Any) -> Frame:
    """MediaPipe's result as the core's frame: image points normalised to the picture
    (x, y, z, visibility) and world points in metres, or no points when no one was found."""
    if result.pose_landmarks is None:
        return Frame(t_s, None, None, aspect)
    points = tuple((p.x, p.y, p.z, p.visibility) for p in result.pose_landmarks.landmark)
    world = None
    if result.pose_world_landmarks is not None:
        world = tuple((p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark)
    return Frame(t_s, points, world, aspect)


def track(clip: Clip) -> Iterator[Frame]:
    """The landmark frames of every frame of `clip` in order, through one model. A caller
    that may stop part-way closes the iterator (`contextlib.closing`): a model left to
    the garbage collector after an error can hang the interpreter's exit."""
    return track_frames(clip.frames(), clip.still)


def track_frames(frames: Iterable[RgbFrame], still: bool = False) -> Iterator[Frame]:
    """The landmark frames of RGB frames in order (one clip, or still pictures)."""
    with PoseModel(still=still) as model:
        for frame in frames:
            yield model.detect(frame)
