"""A clip or a still picture read into RGB frames with their times, for the pose model.

OpenCV decodes (the coach extra brings it with MediaPipe). Frames are read one at a time,
never all at once, so a long clip needs no more memory than a short one. A crop (X,Y,W,H in
pixels of the picture as it is shown, after a phone's rotation) keeps one person in view
when others are in the frame. Every error names the field it is about (VIDEO, --crop) and
is raised before the model starts.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psoas.coach import need_extra

MIN_CROP_PX = 32  # the model sees a 256-pixel square; a smaller crop holds no body to find
MAX_FPS = 1000.0  # a container that claims more has no real frame rate (some WebM files)
FALLBACK_FPS = 30.0  # for frame times when the container gives neither times nor a rate
_CROP = re.compile(r"^\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*$")


class VideoError(ValueError):
    """A file that is not a readable video or picture, or a crop that does not fit it. The
    message starts with the field it is about."""


@dataclass(frozen=True)
class Crop:
    """A rectangle of the picture in pixels: top-left corner X,Y, width W, height H."""

    x: int
    y: int
    w: int
    h: int

    @classmethod
    def parse(cls, text: str, name: str = "--crop") -> Crop:
        match = _CROP.match(text)
        if match is None:
            raise VideoError(
                f"{name}: {text!r} is not X,Y,W,H; give four whole numbers of pixels, "
                "such as 100,0,640,480"
            )
        crop = cls(*(int(n) for n in match.groups()))
        if crop.w < MIN_CROP_PX or crop.h < MIN_CROP_PX:
            raise VideoError(
                f"{name}: W and H must be at least {MIN_CROP_PX} pixels (got {crop.w}x{crop.h})"
            )
        return crop

    def check_fits(self, width: int, height: int, name: str = "--crop") -> None:
        if self.x + self.w > width or self.y + self.h > height:
            raise VideoError(
                f"{name}: {self} goes past the edge of the picture, which is "
                f"{width}x{height} pixels"
            )

    def __str__(self) -> str:
        return f"{self.x},{self.y},{self.w},{self.h}"


@dataclass(frozen=True)
class RgbFrame:
    """One picture for the pose model: `image` is a height x width x 3 uint8 array in RGB
    order, `t_s` its time in seconds from the start of the clip."""

    index: int
    t_s: float
    image: Any


@dataclass
class Clip:
    """An opened clip or picture. `width` and `height` are after the crop; `fps` is the
    container's frame rate (None if it gives none; 0 for a still picture) and
    `frame_count` its count of frames (an estimate for some containers; None if unknown).
    `frames()` reads the frames in order; each call starts again from the first."""

    path: Path
    width: int
    height: int
    fps: float | None
    still: bool
    frame_count: int | None = 1
    crop: Crop | None = None
    _open: Any = field(default=None, repr=False)  # (capture, first frame) from open_clip

    def frames(self) -> Iterator[RgbFrame]:
        cv2 = _cv2()
        if self.still:
            image = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
            yield RgbFrame(0, 0.0, self._rgb(image))
            return
        cap, first = self._open or _capture(self.path)
        self._open = None
        step = 1.0 / (self.fps or FALLBACK_FPS)
        try:
            index, last_t, bgr = 0, -math.inf, first
            while bgr is not None:
                t = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
                if not math.isfinite(t) or t <= last_t:  # no times in the container
                    t = 0.0 if index == 0 else last_t + step
                yield RgbFrame(index, t, self._rgb(bgr))
                index, last_t = index + 1, t
                ok, bgr = cap.read()
                if not ok:
                    bgr = None
        finally:
            cap.release()

    def _rgb(self, bgr: Any) -> Any:
        if self.crop is not None:
            c = self.crop
            bgr = bgr[c.y : c.y + c.h, c.x : c.x + c.w]
        return _cv2().cvtColor(bgr, _cv2().COLOR_BGR2RGB)  # a new, contiguous array


def open_clip(path: Path, crop: Crop | None = None, name: str = "VIDEO") -> Clip:
    """Open `path` as a still picture (JPEG, PNG, ...) or a video, check that a first frame
    decodes and that `crop` fits inside it."""
    _check_file(path, name)
    cv2 = _cv2()
    if cv2.haveImageReader(str(path)):
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise VideoError(f"{name}: {str(path)!r} looks like a picture but cannot be read")
        height, width = image.shape[:2]
        clip = Clip(path, width, height, 0.0, still=True)
    else:
        cap, first = _capture(path, name)
        fps = cap.get(cv2.CAP_PROP_FPS)
        height, width = first.shape[:2]
        rate = fps if math.isfinite(fps) and 0 < fps < MAX_FPS else None
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        known = count if count > 0 else None
        clip = Clip(path, width, height, rate, False, frame_count=known, _open=(cap, first))
    if crop is not None:
        crop.check_fits(clip.width, clip.height)
        clip.crop, clip.width, clip.height = crop, crop.w, crop.h
    return clip


def _check_file(path: Path, name: str) -> None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise VideoError(f"{name}: file {str(path)!r} does not exist") from None
    except OSError as exc:
        raise VideoError(f"{name}: cannot read {str(path)!r}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise VideoError(f"{name}: {str(path)!r} is a folder; give a video or a picture file")
    if not stat.S_ISREG(st.st_mode):
        raise VideoError(f"{name}: {str(path)!r} is not a regular file; give a video or a picture")
    if st.st_size == 0:
        raise VideoError(f"{name}: {str(path)!r} is empty")
    if not os.access(path, os.R_OK):
        raise VideoError(f"{name}: cannot read {str(path)!r}: permission denied")


def _capture(path: Path, name: str = "VIDEO") -> tuple[Any, Any]:
    """An FFmpeg capture of `path` and its first frame (BGR), or VideoError."""
    cv2 = _cv2()
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        cap.release()
        raise VideoError(
            f"{name}: {str(path)!r} is not a video or a picture psoas can read "
            "(use a video such as .mp4, .mov or .webm, or a .jpg or .png picture)"
        )
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)  # a phone's portrait clip shown upright
    ok, first = cap.read()
    if not ok or first is None:
        cap.release()
        raise VideoError(f"{name}: {str(path)!r} has no frame that can be decoded")
    return cap, first


def _cv2() -> Any:
    """OpenCV, quiet: its own and FFmpeg's log lines would break the one-line errors."""
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    need_extra("cv2")
    import cv2

    return cv2
