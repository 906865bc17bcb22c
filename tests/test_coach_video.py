"""Reading clips and pictures into frames for the pose model (psoas/coach/video.py), on the
real fixture files and on small clips written here with known contents."""

from __future__ import annotations

import cv2  # the coach extra, which make test installs
import numpy as np
import pytest

from psoas.coach.video import Crop, VideoError, open_clip
from tests.coach_fixtures import footage


def _write_clip(path, frames_bgr, fps):
    height, width = frames_bgr[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames_bgr:
        writer.write(frame)
    writer.release()
    return path


def test_the_squat_clip_decodes_to_65_rgb_frames_at_5_fps():
    clip = open_clip(footage("pose_squats.mp4"))
    assert (clip.width, clip.height, clip.fps, clip.still) == (720, 1280, 5.0, False)
    frames = list(clip.frames())
    assert len(frames) == 65
    assert [f.index for f in frames] == list(range(65))
    assert [round(f.t_s, 3) for f in frames] == [round(i * 0.2, 3) for i in range(65)]
    assert all(f.image.shape == (1280, 720, 3) and f.image.dtype == np.uint8 for f in frames)
    again = list(clip.frames())  # a second pass starts from the first frame again
    assert len(again) == 65 and np.array_equal(again[0].image, frames[0].image)


def test_frames_are_rgb_and_timed_by_the_clip(tmp_path):
    red = np.zeros((96, 128, 3), np.uint8)
    red[:, :, 2] = 255  # BGR: red
    path = _write_clip(tmp_path / "red.mp4", [red] * 10, 25)
    clip = open_clip(path)
    frames = list(clip.frames())
    assert clip.fps == 25.0 and len(frames) == 10
    assert [round(f.t_s, 3) for f in frames] == [round(i / 25, 3) for i in range(10)]
    r, g, b = frames[4].image.reshape(-1, 3).mean(axis=0)
    assert r > 200 and g < 40 and b < 40


def test_a_crop_keeps_that_rectangle_of_each_frame(tmp_path):
    frame = np.zeros((120, 160, 3), np.uint8)
    frame[40:80, 100:140] = (0, 255, 0)  # a green square on black
    path = _write_clip(tmp_path / "square.mp4", [frame] * 3, 10)
    clip = open_clip(path, Crop.parse("96,32,48,56"))
    assert (clip.width, clip.height) == (48, 56)
    image = next(iter(clip.frames())).image
    assert image.shape == (56, 48, 3)
    assert image[8:48, 4:44, 1].mean() > 200  # the square, now at (4, 8) in the crop
    assert image[:4, :, 1].mean() < 30 and image[52:, :, 1].mean() < 30


def test_a_still_picture_is_one_frame():
    clip = open_clip(footage("pose.jpg"))
    assert (clip.width, clip.height, clip.still, clip.fps) == (1000, 667, True, 0.0)
    frames = list(clip.frames())
    assert len(frames) == 1 and frames[0].image.shape == (667, 1000, 3)
    assert frames[0].t_s == 0.0


def test_a_crop_of_a_picture():
    clip = open_clip(footage("test_image.jpg"), Crop.parse(" 100, 50 ,400,300"))
    (frame,) = clip.frames()
    assert frame.image.shape == (300, 400, 3)


def _fake_video(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("This is a text file with a video's name.\n" * 20)
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_fake_video, "is not a video or a picture psoas can read"),
        (lambda tmp: tmp / "missing.mp4", "does not exist"),
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: (tmp / "empty.mp4").write_bytes(b"") or tmp / "empty.mp4", "is empty"),
    ],
    ids=["text-renamed-mp4", "missing", "folder", "empty"],
)
def test_a_file_that_is_not_a_video_is_named(tmp_path, make, words):
    path = make(tmp_path)
    with pytest.raises(VideoError) as err:
        open_clip(path)
    assert str(err.value).startswith("VIDEO: ") and words in str(err.value)
    assert str(path) in str(err.value)


def test_a_truncated_picture_is_refused(tmp_path):
    data = footage("pose.jpg").read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[:200])
    with pytest.raises(VideoError, match=r"^VIDEO: .*cut\.jpg"):
        open_clip(path)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1,2,3", "is not X,Y,W,H"),
        ("a,b,c,d", "is not X,Y,W,H"),
        ("-1,0,100,100", "is not X,Y,W,H"),
        ("0,0,100.5,100", "is not X,Y,W,H"),
        ("0,0,10,100", "at least 32 pixels"),
        ("", "is not X,Y,W,H"),
    ],
)
def test_a_bad_crop_names_the_field_and_the_form(text, words):
    with pytest.raises(VideoError) as err:
        Crop.parse(text)
    assert str(err.value).startswith("--crop: ") and words in str(err.value)


def test_a_crop_past_the_edge_says_how_big_the_picture_is():
    with pytest.raises(VideoError) as err:
        open_clip(footage("pose_squats.mp4"), Crop.parse("0,0,721,1280"))
    assert str(err.value) == (
        "--crop: 0,0,721,1280 goes past the edge of the picture, which is 720x1280 pixels"
    )
    open_clip(footage("pose_squats.mp4"), Crop.parse("0,0,720,1280"))  # exactly fits
