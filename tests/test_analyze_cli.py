"""`psoas analyze` through the installed entry point, as a clinician runs it on a clip:
the psoas.analysis/1 JSON, the tables at 60 and 80 columns, and every bad input (exit 2,
one line on stderr naming the field). The pose model runs for real, offline, on the
fixture footage in ../shared/coach."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from psoas.cli.analyze import render
from psoas.coach.video import open_clip
from psoas.core.analysis import analysis_model
from psoas.core.coach import analyze
from psoas.core.coach.synthetic import movement, push_for
from psoas.core.content.loader import catalog
from tests.coach_fixtures import ROOT, footage
from tests.test_cli import PSOAS
from tests.test_cli_fuzz import HOSTILE, call
from tests.test_cli_widths import WIDTHS, assert_said, checked

pytestmark = pytest.mark.coach


def psoas(*args: str, columns: int = 120) -> subprocess.CompletedProcess[str]:
    assert PSOAS, "the psoas entry point is not installed"
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    return subprocess.run(
        [PSOAS, *args], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT
    )


@pytest.fixture(scope="module")
def squats() -> dict:
    """The squat clip analysed as forward lunges: the --json output."""
    done = psoas(
        "analyze", str(footage("pose_squats.mp4")), "--exercise", "forward_lunge", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no log lines from the pose model
    return json.loads(done.stdout)


def test_json_is_the_analysis_contract(squats):
    analysis_model().model_validate(squats)
    assert squats["schema"] == "psoas.analysis/1"
    assert (squats["exercise"], squats["side"]) == ("forward_lunge", "right")
    assert (squats["frames"], squats["fps"]) == (65, 5.0)
    assert squats["person_frames"] >= 63 and squats["view"] == "front"
    assert squats["reps"] == 2 and len(squats["rep_details"]) == 2
    for rep in squats["rep_details"]:
        assert rep["tempo_s"] == pytest.approx(rep["end_s"] - rep["start_s"], abs=0.01)
        assert 60 <= rep["rom_deg"] <= 100  # knees bent from straight to past a right angle
    assert any("side-on" in w for w in squats["warnings"])


def test_the_tables_through_the_command_at_60_columns():
    """With a crop around the person: the same two squats, read from the rectangle."""
    clip = str(footage("pose_squats.mp4"))
    done = psoas("analyze", clip, "-e", "forward_lunge", "--crop", "100,150,560,1100", columns=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    out = checked(done.stdout, 60)
    assert "Forward lunge, right side" in out
    assert_said(out, "65 frames (13.0 s at 5 frames a second). A person in 65 of them.")
    assert "2 reps" in out and "View: from the front." in out
    assert_said(out, "Set the camera at your side, so it sees you side-on.")


@pytest.mark.parametrize("width", WIDTHS)
def test_reps_faults_and_warnings_fit_the_terminal(squats, width):
    out = _printed(squats, "forward_lunge", width)
    lines = out.splitlines()
    header = next(
        i
        for i, line in enumerate(lines)
        if line.split()[:5] == ["Rep", "From", "To", "Range", "Tempo"]
    )
    for n, rep in enumerate(squats["rep_details"], 1):
        row = lines[header + 1 + n].split()
        assert row == [
            str(n),
            *f"{rep['start_s']:.1f} s {rep['end_s']:.1f} s".split(),
            f"{rep['rom_deg']:.0f}°",
            f"{rep['tempo_s']:.1f}",
            "s",
        ]
    for warning in squats["warnings"]:
        assert_said(out, warning)


@pytest.mark.parametrize("width", WIDTHS)
def test_holds_and_their_faults_fit_the_terminal(width):
    """A hold exercise shows its holds with their seconds and each fault with the hold it
    came in: a kneeling stretch held twice (8 s and 12 s), the back arching for a second
    in the middle of the second."""
    ex = catalog().exercises["kneeling_hip_flexor_stretch"]
    fault = ex.coach.faults[0]
    clip = movement(ex, [8.0, 12.0], pushes={2: push_for(fault, 25)}, push_s=1.0)
    report = analyze(clip.frames, ex, "right")
    assert len(report["holds"]) == 2 and [f["rep"] for f in report["faults"]] == [2]
    out = _printed(report, ex.id, width)
    assert f"{len(report['holds'])} holds" in out
    assert "Hold" in out.split() and "Seconds" in out.split()
    for hold in report["holds"]:
        assert f"{hold['seconds']:.1f} s" in out
    for f in report["faults"]:
        assert_said(out, f"{f['t_s']:.1f} s {f['rep']} {f['message']}")


def _printed(report: dict, exercise_id: str, width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False)
    console.print(render(report, catalog().exercises[exercise_id]))
    return checked(buffer.getvalue(), width)


def test_a_still_picture_is_one_frame():
    done = psoas("analyze", str(footage("pose.jpg")), "--exercise", "forward_lunge", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    analysis_model().model_validate(report)
    assert (report["frames"], report["person_frames"], report["reps"]) == (1, 1, 0)
    text = psoas("analyze", str(footage("pose.jpg")), "--exercise", "forward_lunge").stdout
    assert "One picture: the camera found a person. Reps and holds need a video." in text
    assert "reps" not in text.split()


def test_a_picture_cut_short_is_read_as_far_as_it_goes(tmp_path):
    """The JPEG library's own complaint ("Premature end of JPEG file") stays off the
    terminal: the report is all that is printed."""
    path = tmp_path / "cut.jpg"
    path.write_bytes(footage("pose.jpg").read_bytes()[:20_000])
    done = psoas("analyze", str(path), "--exercise", "forward_lunge", "--json")
    assert done.returncode == 0 and done.stderr == ""
    assert json.loads(done.stdout)["frames"] == 1


# Bad input: exit 2, one line naming the field, nothing on stdout --------------------------


def _text_as_mp4(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_text("These are notes, not a video.\n" * 40)
    return path


CASES = {
    "text-renamed-mp4": (
        lambda tmp: [str(_text_as_mp4(tmp)), "-e", "forward_lunge"],
        "VIDEO: '{tmp}/clip.mp4' is not a video or a picture psoas can read",
    ),
    "missing-file": (
        lambda tmp: [str(tmp / "gone.mp4"), "-e", "forward_lunge"],
        "VIDEO: file '{tmp}/gone.mp4' does not exist",
    ),
    "a-folder": (lambda tmp: [str(tmp), "-e", "forward_lunge"], "VIDEO: '{tmp}' is a folder"),
    "unknown-exercise": (
        lambda tmp: [str(footage("pose.jpg")), "--exercise", "shoulder_press"],
        "--exercise: unknown exercise 'shoulder_press'; run 'psoas exercises' for the ids",
    ),
    "not-coachable": (
        lambda tmp: [str(footage("pose.jpg")), "--exercise", "foam_roll_tfl"],
        "--exercise: The camera cannot coach Foam roll the front-outer hip (TFL): The roller",
    ),
    "bad-side": (
        lambda tmp: [str(footage("pose.jpg")), "-e", "forward_lunge", "--side", "up"],
        "--side: 'up' is not a side; allowed: left, right",
    ),
    "bad-crop": (
        lambda tmp: [str(footage("pose.jpg")), "-e", "forward_lunge", "--crop", "10,10,200"],
        "--crop: '10,10,200' is not X,Y,W,H; give four whole numbers of pixels",
    ),
    "tiny-crop": (
        lambda tmp: [str(footage("pose.jpg")), "-e", "forward_lunge", "--crop", "0,0,8,8"],
        "--crop: W and H must be at least 32 pixels (got 8x8)",
    ),
    "crop-past-the-edge": (
        lambda tmp: [str(footage("pose.jpg")), "-e", "forward_lunge", "--crop", "900,0,200,200"],
        "--crop: 900,0,200,200 goes past the edge of the picture, which is 1000x667 pixels",
    ),
    "no-exercise": (lambda tmp: [str(footage("pose.jpg"))], "Missing option '--exercise'"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_2_with_one_line(tmp_path, case):
    make_args, words = CASES[case]
    done = psoas("analyze", *make_args(tmp_path))
    assert done.returncode == 2, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("psoas: "), done.stderr
    assert words.format(tmp=tmp_path) in lines[0]
    assert done.stdout == ""


def test_ctrl_c_stops_an_analysis_part_way(tmp_path):
    """Ctrl+C during a long analysis stops it at once: exit 130, nothing printed, no
    traceback, and the pose model's threads end with the process."""
    import cv2

    squat = [f.image[:, :, ::-1] for f in open_clip(footage("pose_squats.mp4")).frames()]
    path = tmp_path / "long.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 5, (720, 1280))
    for _ in range(10):  # 650 frames: far more than a few seconds of work
        for bgr in squat:
            writer.write(bgr)
    writer.release()
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [PSOAS, "analyze", str(path), "-e", "forward_lunge"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(5)
    assert proc.poll() is None, "finished before it could be stopped"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and out == ""
    assert "Traceback" not in err


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    content=st.binary(max_size=3000) | st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8"]),
    suffix=st.sampled_from([".mp4", ".mov", ".webm", ".jpg", ".png", ".gif", ""]),
    options=st.lists(
        st.tuples(st.sampled_from(["--side", "--crop", "--exercise"]), HOSTILE), max_size=3
    ),
)
def test_hostile_files_and_options_end_in_one_line(tmp_path_factory, content, suffix, options):
    """Whatever bytes the file holds and whatever the options say: exit 0 or 2, and a 2
    says why in one line, never a traceback."""
    path = tmp_path_factory.mktemp("hostile") / f"clip{suffix}"
    path.write_bytes(content)
    argv = ["analyze", str(path), "--exercise", "forward_lunge"]
    for name, value in options:
        argv += [name, value]
    code, err = call(argv, "")
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("psoas: "), err


def test_without_the_coach_extra_it_says_how_to_install_it():
    """As on a machine where `pip install psoas` ran without [coach]: importing OpenCV or
    MediaPipe fails."""
    script = (
        "import sys\n"
        "sys.modules['cv2'] = sys.modules['mediapipe'] = None  # not installed\n"
        "sys.argv = ['psoas', *sys.argv[1:]]\n"
        "from psoas.cli.app import main\n"
        "main()\n"
    )
    args = ["analyze", str(footage("pose_squats.mp4")), "-e", "forward_lunge"]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "psoas: the camera coach is not installed; run pip install 'psoas[coach]' (or make run)\n"
    )


def test_help_loads_no_video_or_pose_library():
    """`psoas --help` stays fast: the coach's libraries load only when a clip is analysed."""
    script = (
        "import sys\n"
        "sys.argv = ['psoas', '--help']\n"
        "from psoas.cli.app import app\n"
        "try:\n    app(prog_name='psoas')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('cv2', 'mediapipe', 'numpy') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "analyze" in done.stdout and done.stdout.rstrip().endswith("[]")
    usage = psoas("analyze", "--help")
    assert usage.returncode == 0
    for option in ("--exercise", "--side", "--crop", "--json", "X,Y,W,H"):
        assert option in usage.stdout
