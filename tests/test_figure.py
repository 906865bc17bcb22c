"""The exercise figure: kinematics on known poses, and every catalog picture as valid SVG."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from psoas.core.content.loader import catalog
from psoas.core.content.models import Pose
from psoas.core.figure import body, interpolate, joint_positions, render_svg
from psoas.core.figure.placement import radius
from psoas.core.figure.svg import GROUND

SVG = "{http://www.w3.org/2000/svg}"
EXERCISES = sorted(catalog().exercises.values(), key=lambda e: e.id)
IDS = [e.id for e in EXERCISES]


def pose(base: str = "standing", **joints: float) -> Pose:
    return Pose(base=base, joints=joints)


def dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


BONES = {
    ("pelvis", "neck"): body.TRUNK,
    ("hip_right", "knee_right"): body.THIGH,
    ("knee_right", "ankle_right"): body.SHANK,
    ("ankle_right", "toe_right"): body.FOOT,
    ("shoulder_left", "elbow_left"): body.UPPER_ARM,
    ("elbow_left", "wrist_left"): body.FOREARM,
}


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_side_view_keeps_segment_lengths(ex):
    for p in (ex.illustration.start, ex.illustration.end):
        if any(k.startswith("hip_abduction") and v for k, v in p.joints.items()):
            continue  # a leg swung out of the drawn plane looks shorter, as it should
        points = joint_positions(p, "side")
        for (a, b), length in BONES.items():
            assert dist(points[a], points[b]) == pytest.approx(length, abs=1e-9), (a, b)


def test_standing_figure_stands_on_the_floor_about_one_body_tall():
    points = joint_positions(pose(), "side")
    assert min(y - radius(n) for n, (_, y) in points.items()) == pytest.approx(0, abs=1e-9)
    top = points["head"][1] + body.HEAD_R
    assert top == pytest.approx(1.0, abs=0.03)
    assert points["toe_right"][1] == pytest.approx(points["ankle_right"][1], abs=1e-6)
    assert points["toe_right"][0] > points["ankle_right"][0]  # the figure faces right


def test_standing_knee_lift_raises_the_knee_to_hip_height():
    ill = catalog().exercises["standing_knee_lift"].illustration
    start, end = joint_positions(ill.start, "side"), joint_positions(ill.end, "side")
    assert end["knee_right"][1] - start["knee_right"][1] > 0.15
    assert end["knee_right"][1] == pytest.approx(end["hip_right"][1], abs=0.03)
    assert end["ankle_left"] == pytest.approx(start["ankle_left"], abs=0.002)  # stance foot


def test_hip_extension_puts_the_thigh_behind_the_trunk_and_flexion_in_front():
    back = joint_positions(pose(hip_right=-20), "side")
    front = joint_positions(pose(hip_right=20), "side")
    assert back["knee_right"][0] < back["hip_right"][0]
    assert front["knee_right"][0] > front["hip_right"][0]


def test_trunk_flexion_leans_forward_and_knee_flexion_folds_the_shin_back():
    lean = joint_positions(pose(trunk=30), "side")
    assert lean["neck"][0] > lean["pelvis"][0]
    bent = joint_positions(pose(hip_right=90, knee_right=90), "side")
    assert bent["ankle_right"][0] == pytest.approx(bent["knee_right"][0], abs=1e-9)
    assert bent["ankle_right"][1] < bent["knee_right"][1]


def test_lying_on_the_back_is_flat_and_a_bridge_lifts_the_hips():
    flat = joint_positions(pose("lying_back"), "side")
    assert flat["neck"][1] == pytest.approx(flat["pelvis"][1], abs=1e-9)
    assert flat["head"][0] < flat["pelvis"][0] < flat["knee_right"][0]  # head on the left
    bridge = joint_positions(pose("lying_back", trunk=-30, knee_left=90, knee_right=90), "side")
    assert bridge["pelvis"][1] - bridge["neck"][1] > 0.1


def test_hands_and_knees_touch_the_floor_with_the_back_about_level():
    points = joint_positions(pose("hands_knees"), "side")
    for name in ("wrist_left", "wrist_right", "knee_left", "knee_right"):
        assert points[name][1] - radius(name) == pytest.approx(0, abs=0.005), name
    assert points["neck"][1] > points["pelvis"][1]


def test_front_view_abduction_moves_the_right_leg_to_the_left_of_the_picture():
    points = joint_positions(pose(hip_abduction_right=30), "front")
    assert points["ankle_right"][0] < points["hip_right"][0] < points["hip_left"][0]
    assert points["ankle_left"][0] == pytest.approx(points["hip_left"][0], abs=1e-9)


def test_clamshell_opens_the_top_knee_and_keeps_the_feet_together():
    ill = catalog().exercises["clamshell"].illustration
    start, end = joint_positions(ill.start, "front"), joint_positions(ill.end, "front")
    assert end["knee_right"][1] - start["knee_right"][1] > 0.07
    assert dist(end["ankle_right"], start["ankle_right"]) < 0.02


def test_top_view_draws_as_the_side_view():
    p = pose(hip_right=40)
    assert joint_positions(p, "top") == joint_positions(p, "side")


def test_seated_pelvis_is_on_the_seat_with_the_feet_on_the_floor():
    points = joint_positions(pose("seated"), "side")
    assert points["pelvis"][1] == pytest.approx(body.SEAT_PELVIS)
    assert points["ankle_right"][1] - radius("ankle_right") == pytest.approx(0, abs=1e-9)


def test_interpolate_moves_each_angle_evenly_and_fills_base_defaults():
    start, end = pose(hip_right=0), pose(hip_right=90, knee_right=60)
    assert interpolate(start, end, 0).joints["hip_right"] == 0
    mid = interpolate(start, end, 0.5)
    assert mid.joints["hip_right"] == 45 and mid.joints["knee_right"] == 30
    assert interpolate(pose("hands_knees"), pose("half_kneeling"), 0.25).base == "hands_knees"
    assert interpolate(pose("hands_knees"), pose("half_kneeling"), 0.75).base == "half_kneeling"
    assert interpolate(pose("hands_knees"), pose("hands_knees"), 0.5).joints["trunk"] == 90


def _numbers(root: ET.Element) -> list[tuple[str, float, float]]:
    """Every (tag, x, y) coordinate pair drawn or animated in the picture."""
    out = []
    for el in root.iter():
        tag = el.tag.removeprefix(SVG)
        lists = [el.get("points", "")]
        if tag == "animate" and el.get("attributeName") == "points":
            lists += el.get("values", "").split(";")
        for text in lists:
            for pair in text.split():
                x, y = pair.split(",")
                out.append((tag, float(x), float(y)))
        for xa, ya in (("cx", "cy"), ("x1", "y1"), ("x2", "y2"), ("x", "y")):
            if el.get(xa) is not None:
                out.append((tag, float(el.get(xa)), float(el.get(ya))))
    return out


def _parse(svg: str) -> tuple[ET.Element, float, float]:
    root = ET.fromstring(svg)
    _, _, w, h = (float(v) for v in root.get("viewBox").split())
    return root, w, h


@pytest.mark.parametrize("animate", [True, False], ids=["animated", "still"])
@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_every_exercise_renders_an_accessible_picture_inside_its_view_box(ex, animate):
    svg = render_svg(ex.illustration, animate=animate, title=ex.name, equipment=ex.equipment)
    root, w, h = _parse(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == ex.name
    assert ex.illustration.caption in root.find(f"{SVG}desc").text
    assert not re.search(r"nan|inf|<script|href|url\(", svg, re.IGNORECASE)
    assert len(svg.encode()) < 8000
    coords = _numbers(root)
    assert coords
    for tag, x, y in coords:
        assert 0 <= x <= w and 0 <= y <= h, (tag, x, y)
    head_r = body.HEAD_R * 100
    for circle in root.iter(f"{SVG}circle"):
        if circle.get("stroke") == "none":  # the head
            for cx in [circle.get("cx"), *_animated(circle, "cx")]:
                assert head_r <= float(cx) <= w - head_r


def _animated(el: ET.Element, attribute: str) -> list[str]:
    return [
        v
        for a in el.iter(f"{SVG}animate")
        if a.get("attributeName") == attribute
        for v in a.get("values").split(";")
    ]


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_animation_goes_from_start_to_end_and_back(ex):
    root, _, _ = _parse(render_svg(ex.illustration))
    animations = list(root.iter(f"{SVG}animate"))
    assert animations
    for a in animations:
        values = a.get("values").split(";")
        assert len(values) == len(a.get("keyTimes").split(";"))
        assert values[0] == values[-1]
        assert a.get("repeatCount") == "indefinite"
    assert any(len(set(a.get("values").split(";"))) > 2 for a in animations)
    style = root.find(f"{SVG}style").text
    assert "prefers-reduced-motion" in style


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_start_and_end_poses_differ(ex):
    view = ex.illustration.view
    start = joint_positions(ex.illustration.start, view)
    end = joint_positions(ex.illustration.end, view)
    assert max(dist(start[n], end[n]) for n in start) > 0.02


@pytest.mark.parametrize(
    ("ex_id", "equipment", "tag", "count"),
    [
        ("ball_bridge", ["stability_ball"], "circle", 1),
        ("glute_bridge", ["foam_roller"], "circle", 1),
        ("seated_knee_lift", [], "polyline", 1),  # the chair
        ("chair_split_squat", ["chair"], "polyline", 1),
        ("supine_table_hip_flexor_stretch", [], "polyline", 1),  # the table top
        ("foam_roll_adductors", ["foam_roller"], "rect", 2),  # mat and roller, from above
        ("side_lying_hip_flexor_stretch", [], "rect", 1),  # the mat
    ],
)
def test_props_are_drawn_behind_the_figure(ex_id, equipment, tag, count):
    ill = catalog().exercises[ex_id].illustration
    root, _, _ = _parse(render_svg(ill, equipment=equipment))
    props = [el for el in root if el.get("stroke") == GROUND]
    assert sum(el.tag == f"{SVG}{tag}" for el in props) == count
    assert root.find(f"{SVG}title").text == "Exercise picture"
