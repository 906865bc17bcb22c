"""The camera coach's parts, one at a time: angles against hand-worked values and against
the figure's own joint angles, the frame format, the filter, the rep counter, the hold
timer, the fault rules, the visibility gate, the view check and the coach's plain words.
Whole exercises on synthetic footage are in test_coach_exercises.py."""

from __future__ import annotations

import itertools
import math
import shutil

import pytest
import textstat
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from psoas.core.coach import Frame, angles
from psoas.core.coach.faults import PERSIST_S, FaultRules
from psoas.core.coach.holds import HoldTimer
from psoas.core.coach.landmarks import COUNT, INDEX, NAMES
from psoas.core.coach.metrics import reader
from psoas.core.coach.reps import RepCounter
from psoas.core.coach.smoothing import Ema
from psoas.core.coach.synthetic import Camera, frame_of
from psoas.core.coach.view import ViewCheck
from psoas.core.coach.visibility import Gate
from psoas.core.content.loader import ContentError, data_root, load_catalog
from psoas.core.content.models import CoachAngle, Pose

SAFETY = settings.get_profile("safety")

# --- angles, by hand ----------------------------------------------------------------------


def test_interior_and_knee_flexion_by_hand():
    assert angles.interior((1, 0), (0, 0), (0, 1)) == pytest.approx(90)
    assert angles.interior((0, 1), (0, 0), (0, -1)) == pytest.approx(180)
    assert angles.knee_flexion((0, 1), (0, 0), (0, -1)) == pytest.approx(0)
    # thigh down from the hip, shin folded back 60 degrees
    shin = (-math.sin(math.radians(60)), -math.cos(math.radians(60)))
    assert angles.knee_flexion((0, 1), (0, 0), shin) == pytest.approx(60)
    assert angles.interior3((1, 0, 0), (0, 0, 0), (0, 0, 1)) == pytest.approx(90)
    assert angles.knee_flexion3((0, -1, 0), (0, 0, 0), (0, 0, 1)) == pytest.approx(90)


def test_hip_flexion_sign_follows_the_way_the_person_faces():
    shoulders, hips = (0.0, 0.5), (0.0, 0.0)
    forward = (0.4, 0.0)  # knee straight ahead of the hip: thigh level
    assert angles.hip_flexion(shoulders, hips, hips, forward, 1.0) == pytest.approx(90)
    assert angles.hip_flexion(shoulders, hips, hips, forward, -1.0) == pytest.approx(-90)
    back = (-0.4 * math.sin(math.radians(15)), -0.4 * math.cos(math.radians(15)))
    assert angles.hip_flexion(shoulders, hips, hips, back, 1.0) == pytest.approx(-15)
    # Leaning the whole body does not change the angle between trunk and thigh.
    lean = math.radians(30)
    tip = (0.5 * math.sin(lean), 0.5 * math.cos(lean))
    knee = (0.4 * math.cos(lean), -0.4 * math.sin(lean))
    assert angles.hip_flexion(tip, hips, hips, knee, 1.0) == pytest.approx(90)


def test_trunk_lean_and_shin_tilt_by_hand():
    assert angles.trunk((1, 1), (0, 0), 1.0) == pytest.approx(45)
    assert angles.trunk((1, 1), (0, 0), -1.0) == pytest.approx(-45)
    # Lying on the back with the head on the left is trunk 0 for pitch -90, and the
    # hips 30 degrees above the shoulders (a bridge) is -30.
    assert angles.trunk((-1, 0), (0, 0), 1.0, pitch=-90) == pytest.approx(0)
    bridge = (-math.cos(math.radians(30)), -math.sin(math.radians(30)))
    assert angles.trunk(bridge, (0, 0), 1.0, pitch=-90) == pytest.approx(-30)
    assert angles.shin_tilt((0.5, 1), (0, 0), 1.0) == pytest.approx(math.degrees(math.atan(0.5)))
    assert angles.wrap(190) == pytest.approx(-170) and angles.wrap(-180) == pytest.approx(180)


def test_front_view_angles_by_hand():
    s30 = (math.sin(math.radians(30)), -math.cos(math.radians(30)))
    assert angles.spread((0, 0), (0, -1), (0, 0), s30) == pytest.approx(30)
    # The trunk tipped 10 degrees toward the other hip (on the right of the picture).
    top = (math.sin(math.radians(10)), math.cos(math.radians(10)))
    assert angles.side_lean(top, (0, 0), (-0.1, 0), (0.1, 0)) == pytest.approx(10)
    assert angles.side_lean(top, (0, 0), (0.1, 0), (-0.1, 0)) == pytest.approx(-10)
    assert angles.hip_tilt((-0.1, 0.2 * math.tan(math.radians(12))), (0.1, 0)) == pytest.approx(12)


def test_world_hip_flexion_and_trunk_by_hand():
    # MediaPipe world axes (x right, y down, z away). Facing the right of the picture
    # with the camera on the right: the right hip is the near one (smaller z).
    right, left = (0.0, 0.0, -0.1), (0.0, 0.0, 0.1)
    shoulders, hips = (0.0, -0.5, 0.0), (0.0, 0.0, 0.0)
    knee_forward = (0.4, 0.0, -0.1)
    assert angles.hip_flexion3(shoulders, hips, right, knee_forward, right, left) == (
        pytest.approx(90)
    )
    knee_back = (-0.1, 0.4, -0.1)
    expected = -math.degrees(math.atan2(0.1, 0.4))
    assert angles.hip_flexion3(shoulders, hips, right, knee_back, right, left) == (
        pytest.approx(expected)
    )
    leaning = (0.5 * math.sin(math.radians(20)), -0.5 * math.cos(math.radians(20)), 0.0)
    assert angles.trunk3(leaning, hips, right, left) == pytest.approx(20)


# --- angles, against the figure ------------------------------------------------------------

JOINT = st.floats(-30, 120, allow_nan=False)


@st.composite
def standing_poses(draw) -> Pose:
    hip_r, hip_l = draw(st.floats(-25, 110)), draw(st.floats(-25, 110))
    return Pose(
        base="standing",
        joints={
            "trunk": draw(st.floats(-20, 40)),
            "hip_right": hip_r,
            "hip_left": hip_l,
            "knee_right": draw(st.floats(0, 130)),
            "knee_left": draw(st.floats(0, 130)),
        },
    )


@SAFETY
@given(
    pose=standing_poses(),
    facing=st.sampled_from([1.0, -1.0]),
    aspect=st.sampled_from([16 / 9, 9 / 16, 4 / 3, 1.0]),
    side=st.sampled_from(["left", "right"]),
)
def test_measured_angles_are_the_figures_own(pose, facing, aspect, side):
    """Project the figure to landmarks, read them back: the figure's joint angles return,
    in the image and in world coordinates, whichever way the person faces and whatever
    the picture's shape. This is what lets content write thresholds in the figure's
    numbers."""
    frame = frame_of(pose, 0.0, Camera(facing=facing, aspect=aspect), side)
    j = pose.joints
    # synthetic.py puts the figure's right leg (the working one) on `side`.
    expect = {
        ("hip_flexion", "side"): j["hip_right"],
        ("hip_flexion", "other"): j["hip_left"],
        ("knee_flexion", "side"): j["knee_right"],
        ("knee_flexion", "other"): j["knee_left"],
        ("trunk", None): j["trunk"],
    }
    for (name, leg), value in expect.items():
        for space in ("image", "world"):
            spec = CoachAngle(name=name, leg=leg, space=space)
            assert reader(spec, side)(frame, facing) == pytest.approx(value, abs=1e-6), (
                name,
                leg,
                space,
            )


def test_either_leg_angles_use_the_legs_the_camera_sees():
    pose = Pose(base="standing", joints={"knee_right": 80, "knee_left": 20})
    frame = frame_of(pose, 0.0)
    far = _hide(frame, {"left_knee"})
    for leg, both, one in (("most", 80, 80), ("least", 20, 80), ("both", 50, 80)):
        read = reader(CoachAngle(name="knee_flexion", leg=leg), "right")
        assert read(frame, 1.0) == pytest.approx(both)
        assert read(far, 1.0) == pytest.approx(one)  # the hidden left knee is left out
        assert read(_hide(frame, {"left_knee", "right_ankle"}), 1.0) is None


def test_front_view_spread_is_the_abduction_of_a_straight_leg():
    pose = Pose(base="standing", joints={"hip_abduction_right": 25})
    frame = frame_of(pose, 0.0, Camera(view="front"))
    assert reader(CoachAngle(name="thigh_spread"), "right")(frame, 1.0) == pytest.approx(25)


# --- frames ----------------------------------------------------------------------------------


def test_landmark_names_are_blazepose_order():
    assert COUNT == 33 and NAMES[0] == "nose" and NAMES[32] == "right_foot_index"
    assert INDEX["left_hip"] == 23 and INDEX["right_knee"] == 26 and INDEX["left_ankle"] == 27


def test_frame_from_json_and_its_errors():
    row = [0.5, 0.5, 0.0, 0.9]
    f = Frame.from_json({"t": 1.5, "points": [row] * 33, "aspect": 0.5625})
    assert f.t == 1.5 and f.points[0] == (0.5, 0.5, 0.0, 0.9) and f.world is None
    assert Frame.from_json({"t": 0, "points": None}).points is None
    bad = [
        ({"t": "x"}, "t: must be a finite number"),
        ({"t": 0, "points": [row] * 32}, "points: must be a list of 33"),
        ({"t": 0, "points": [row] * 32 + [[0, 0, 0]]}, "points[32]: must be a list of 4"),
        ({"t": 0, "points": [row] * 32 + [[0, 0, 0, 2]]}, "points[32]: visibility 2.0"),
        ({"t": 0, "world": [[0, 0]] * 33}, "world[0]: must be a list of 3"),
        ({"t": 0, "aspect": 0}, "aspect"),
        ({"t": float("nan")}, "t: must be a finite number"),
        ({"t": 0, "video": "x"}, "unknown field(s) ['video']"),
    ]
    for data, message in bad:
        with pytest.raises(ValueError) as info:
            Frame.from_json(data)
        assert message in str(info.value), data


# --- smoothing --------------------------------------------------------------------------------


def test_ema_follows_time_not_frames_and_restarts_after_a_gap():
    fast, slow = Ema(), Ema()
    for i in range(31):
        fast.update(i / 30, 0.0 if i == 0 else 10.0)
    for i in range(6):
        slow.update(i / 5, 0.0 if i == 0 else 10.0)
    assert fast.value == pytest.approx(slow.value, abs=0.01)  # one second at 30 and 5 fps
    assert fast.update(5.0, -40.0) == -40.0  # a long gap: no blending across it


# --- rep counter -----------------------------------------------------------------------------


def _run(counter, samples, fps=10):
    for i, a in enumerate(samples):
        counter.update(i / fps, a)
    return counter


def test_rep_counts_only_on_the_way_back_and_not_when_unfinished():
    down, up = [0] * 5 + list(range(0, 91, 10)) + [90] * 5, list(range(90, -1, -10)) + [0] * 5
    c = _run(RepCounter(60, 30, 1.0), down + up + down + up + down)
    assert len(c.reps) == 2 and c.in_rep  # the third is under way when the frames end
    rep = c.reps[0]
    assert rep.rom_deg == pytest.approx(90, abs=2)  # the rest level is a slow average
    # From a tenth of the range out of rest (10 degrees at 0.6 s) to a tenth from rest on
    # the way back (2.8 s), not from threshold to threshold (0.9 s to 2.6 s).
    assert (rep.start_s, rep.end_s) == pytest.approx((0.6, 2.8))


def test_partial_fast_and_mid_rep_starts_do_not_count():
    partial = [0] * 5 + [20, 40, 50, 40, 20, 0] + [0] * 5
    c = _run(RepCounter(60, 30, 1.0), partial)
    assert not c.reps and c.partial == 1
    bounce = [0] * 5 + [90, 90, 0] + [0] * 5  # 0.2 s down and up
    c = _run(RepCounter(60, 30, 1.0), bounce)
    assert not c.reps and c.too_fast == 1
    starts_low = [90] * 5 + [0] * 5 + [90] * 15 + [0] * 5
    assert len(_run(RepCounter(60, 30, 1.0), starts_low).reps) == 1


def test_a_falling_angle_counts_the_same_way():
    bridge = [45] * 5 + [45, 30, 15, 0] + [0] * 10 + [15, 30, 45] + [45] * 5
    c = _run(RepCounter(15, 30, 1.0), bridge)
    assert len(c.reps) == 1 and c.reps[0].rom_deg == pytest.approx(45, abs=2)


@SAFETY
@given(st.lists(st.floats(-10, 100), max_size=200), st.sampled_from([5, 15, 30]))
def test_reps_never_overlap_and_each_went_past_enter(samples, fps):
    c = RepCounter(60, 30, 1.0)
    prev_end = -math.inf
    for i, a in enumerate(samples):
        c.update(i / fps, a)
    for rep in c.reps:
        assert rep.start_s >= prev_end and rep.tempo_s >= 1.0 - 1e-9
        assert rep.rom_deg >= 60 - 30
        prev_end = rep.end_s
    crossings = sum(1 for a, b in itertools.pairwise(samples) if a < 60 <= b)
    assert len(c.reps) <= crossings


# --- hold timer ------------------------------------------------------------------------------


def test_hold_rides_out_short_drop_outs_and_ends_at_the_last_good_moment():
    timer, holds = HoldTimer(grace_s=1.0, min_hold_s=3.0), []
    for i in range(300):  # 10 s at 30 fps: in position from 1 s to 9 s, out 4.0-4.8 s
        t = i / 30
        ok = 1.0 <= t <= 9.0 and not 4.0 <= t < 4.8
        if (hold := timer.update(t, ok)) is not None:
            holds.append(hold)
    assert not holds  # at 9.97 s the grace since the last good moment has not run out
    assert timer.update(10.1, False).seconds == pytest.approx(8.0, abs=1 / 30)


def test_a_long_drop_out_splits_a_hold_and_short_holds_are_not_reported():
    timer, holds = HoldTimer(grace_s=1.0, min_hold_s=3.0), []
    for i in range(400):
        t = i / 30
        ok = (1.0 <= t <= 5.0) or (7.0 <= t <= 9.0)
        if (hold := timer.update(t, ok)) is not None:
            holds.append(hold)
    if (hold := timer.finish()) is not None:
        holds.append(hold)
    assert [round(h.seconds, 1) for h in holds] == [4.0]  # 2 s is under min_hold_s
    timer = HoldTimer(1.0, 3.0)
    for i in range(200):
        timer.update(i / 30, i >= 30)
    # Still going at the end: from half-way between the frames at 29/30 s and 1 s.
    assert timer.finish().seconds == pytest.approx(199 / 30 - 59 / 60)


# --- fault rules ------------------------------------------------------------------------------


def test_faults_need_to_last_and_only_the_first_in_priority_is_named():
    rules = FaultRules([(30.0, None), (None, -15.0)])
    assert rules.update(0.0, [40.0, -20.0]) is None  # not yet lasted
    assert rules.update(PERSIST_S / 2, [40.0, -20.0]) is None
    assert rules.update(PERSIST_S + 0.01, [40.0, -20.0]) == 0  # both bad: the first wins
    for i in range(60):  # the first clears; the second has lasted all along
        named = rules.update(1.0 + i / 30, [0.0, -20.0])
    assert named == 1
    assert rules.update(4.0, [0.0, None]) is None  # unseen is not a fault


# --- gate and view ------------------------------------------------------------------------------


def _hide(f: Frame, hidden: set[str]) -> Frame:
    pts = tuple((*p[:3], 0.1 if NAMES[i] in hidden else p[3]) for i, p in enumerate(f.points))
    return Frame(f.t, pts, f.world, f.aspect)


def _frame_with(hidden: set[str], t: float = 0.0) -> Frame:
    return _hide(frame_of(Pose(base="standing", joints={}), t), hidden)


def test_gate_names_the_part_in_plain_words():
    gate = Gate(["shoulder", "hip_side", "knee_side", "ankle_both"], "left")
    assert gate.hidden(_frame_with(set()).points) is None
    assert gate.hidden(_frame_with({"left_shoulder"}).points) is None  # either will do
    assert gate.hidden(_frame_with({"left_shoulder", "right_shoulder"}).points) == "shoulder"
    assert gate.hidden(_frame_with({"right_knee"}).points) is None  # not the working side
    assert gate.hidden(_frame_with({"left_knee"}).points) == "knee_side"
    assert gate.hidden(_frame_with({"right_ankle"}).points) == "ankle_both"
    assert gate.words("knee_side") == "your left knee"
    assert gate.words("knee_other") == "your right knee"
    assert gate.words("ankle_both") == "your ankles" and gate.words("toe") == "your foot"


@pytest.mark.parametrize(
    ("base", "view", "expected"),
    [
        ("standing", "side", "side"),
        ("standing", "front", "front"),
        ("lying_back", "side", "side"),
        ("hands_knees", "front", "front"),
        ("lying_side", "front", "front"),
    ],
)
def test_view_check_tells_side_from_front(base, view, expected):
    check = ViewCheck()
    for facing in (1.0, -1.0):
        assert check.update(frame_of(Pose(base=base, joints={}), 0, Camera(view, facing))) == (
            expected
        )


def test_view_check_holds_its_view_through_a_sway():
    """Facing the camera the widths are 0.55 of the torso; a quarter turn shrinks them.
    Inside each band's margin the view stays as it was; a fresh check is unsure."""
    pose = Pose(base="standing", joints={})
    front = frame_of(pose, 0, Camera("front"))
    near_side, near_front = _turned(front, 0.4), _turned(front, 0.65)  # 0.22 and 0.36
    check = ViewCheck()
    check.update(frame_of(pose, 0, Camera("side")))
    assert check.update(near_side) == "side"
    check = ViewCheck()
    check.update(front)
    assert check.update(near_front) == "front"
    assert ViewCheck().update(near_side) == "unknown"
    assert ViewCheck().update(near_front) == "unknown"


def _turned(frame: Frame, k: float) -> Frame:
    """The frame with the width across the body shrunk by `k` (a person half turned)."""
    cx = sum(p[0] for p in frame.points) / COUNT
    pts = tuple(((p[0] - cx) * k + cx, *p[1:]) for p in frame.points)
    return Frame(frame.t, pts, frame.world, frame.aspect)


# --- content --------------------------------------------------------------------------------


def _copy(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(data_root(), root)
    return root


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda c: c["faults"][0].update(common_fault=9), None, "common_fault 9 is not an index"),
        (lambda c: c.update(exit=58), "coach", "at least 5 degrees apart"),
        (lambda c: c.update(see=["kneecap"]), "coach", "see.0"),
        (lambda c: c["faults"][0].update(below=-10), "coach", "give above or below"),
        (lambda c: c["angle"].pop("leg"), "coach", "knee_flexion needs a leg"),
        (lambda c: c.pop("min_rep_s"), "coach", "min_rep_s goes with mode reps"),
    ],
)
def test_a_broken_coach_block_is_a_content_error(tmp_path, change, field, message):
    root = _copy(tmp_path)
    path = root / "exercises" / "forward_lunge.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["coach"])
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError) as info:
        load_catalog(root)
    text = str(info.value)
    assert "exercises/forward_lunge.yaml" in text and message in text
    if field:
        assert f"field {field}" in text


def test_a_not_coached_exercise_must_say_why(tmp_path):
    root = _copy(tmp_path)
    path = root / "exercises" / "pelvic_floor_lift.yaml"
    data = yaml.safe_load(path.read_text())
    del data["coach"]["why"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError, match=r"pelvic_floor_lift.*coach"):
        load_catalog(root)


# --- words ------------------------------------------------------------------------------------


def test_the_coachs_warnings_read_at_grade_6(cat):
    from psoas.core.coach import Coach
    from psoas.core.coach.analysis import warnings

    coach = Coach(cat.exercises["forward_lunge"], "left")
    coach.frames, coach.person_frames = 300, 250
    coach.hidden.update({"knee": 40, "hip_side": 3})
    coach.counter.partial, coach.counter.too_fast = 2, 1
    texts = warnings(coach, "front", 30.0)
    assert len(texts) == 6
    for text in texts:
        assert textstat.flesch_kincaid_grade(text) <= 6, text
