"""The camera coach in the player, in Chromium with a fake camera that plays the squat clip
of the coach fixtures (../shared/coach: 2 full squats and a third left unfinished), made
into a Y4M file at test time. The page runs MediaPipe's pose model from psoas's own files,
sends landmarks, and shows what the server's core coach counted; the exercise's save
keeps it.

Chromium loops a fake video file. So the Y4M holds 5 s of the clip's first frame (the
woman standing, while the test goes on from a pause), the clip, then 30 s of its last
frame (still low in the unfinished third squat): within the test the clip never loops,
the third squat never finishes, and the count must stay at 2. The clip plays at a
quarter of its speed (each frame four times): headless Chromium runs the full model in
software, and on a busy 2-core machine it reads a frame only every one to four seconds;
a squat of 14 s instead of 3.5 is still seen at its bottom and standing.

The coach counts each side of the lunge on its own, and the player moves on to the other
side when the side's time is up. So the started session's lunges are made longer (a test
seed, `longer_lunges`), and the test pauses the player while the model loads (the model
reads nothing while paused) and goes on once the camera is on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.coach_fixtures import COACHED_PROFILE, footage
from tests.e2e.check import check_page, grade
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.flows import start, wait_for

FPS = 5  # the clip's own rate
LEAD_S, TAIL_S, SLOWER = 5, 30, 4
LUNGE_REPS = 30  # 90 s a side instead of the plan's 30 s: see longer_lunges


def make_y4m(clip: Path, out: Path) -> None:
    """The clip as raw Y4M (what Chromium's fake camera reads), 270 x 480, slowed down,
    with the still lead and tail the module's docstring explains."""
    import cv2

    cap = cv2.VideoCapture(str(clip))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(frame, (270, 480), interpolation=cv2.INTER_AREA))
    cap.release()
    assert len(frames) == 65, f"the squat clip has 65 frames, not {len(frames)}"
    slow = [f for f in frames for _ in range(SLOWER)]
    frames = [frames[0]] * (LEAD_S * FPS) + slow + [frames[-1]] * (TAIL_S * FPS)
    with out.open("wb") as f:
        f.write(f"YUV4MPEG2 W270 H480 F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            f.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())


@pytest.fixture(scope="module")
def camera_browser(playwright, tmp_path_factory):
    y4m = tmp_path_factory.mktemp("camera") / "squats.y4m"
    make_y4m(footage("pose_squats.mp4"), y4m)
    fake_camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",  # says yes to the camera, as a person would
        f"--use-file-for-fake-video-capture={y4m}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake_camera)
    yield browser
    browser.close()


@pytest.fixture
def seeded(server, tmp_path):
    profile = tmp_path / "profile.json"
    # The session: the standing knee lift, then the forward lunge, which the squat clip
    # can stand for (both count the bend of the more bent knee).
    profile.write_text(json.dumps(COACHED_PROFILE))
    r = server.cli("init", "--profile", str(profile))
    assert r.returncode == 0, r.stderr
    return server


def longer_lunges(server, session_id: int) -> None:
    """The session as started, with LUNGE_REPS lunges a side: written into the store the
    way the server keeps it (the player plays the session stored on its log)."""
    code = f"""
import django
django.setup()
from psoas.web.tracking.models import SessionLog
log = SessionLog.objects.get(pk={session_id})
for ex in log.session["exercises"]:
    if ex["id"] == "forward_lunge":
        ex["reps"] = {LUNGE_REPS}
log.save()
"""
    env = {**server.env, "DJANGO_SETTINGS_MODULE": "psoas.web.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_camera_counts_the_clips_squats_and_the_session_keeps_them(seeded, camera_browser):
    ctx = camera_browser.new_context(  # the figure's motion off: less work beside the model
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        reduced_motion="reduce",
    )
    ctx.set_default_timeout(20_000)
    seeded.let_in(ctx)
    blocked: list[str] = []
    ctx.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page = ctx.new_page()
    session_id = start(page, seeded, speed=None)
    longer_lunges(seeded, session_id)
    page.reload()
    coach = page.locator("#p-coach")
    switch = page.get_by_role("switch", name="Use my camera")
    assert not switch.is_checked()  # off until the person switches it on
    assert "Your video stays on this device" in coach.inner_text()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Skip exercise").click()  # on to the forward lunge
    page.wait_for_selector("#player[data-exercise='1']", state="attached")
    assert "put the camera at your side" in page.locator("#p-coach-why").inner_text()

    page.get_by_role("button", name="Pause").click()
    switch.focus()
    page.keyboard.press("Space")  # the keyboard works it
    page.wait_for_selector("#p-coach[data-camera=on]", state="attached", timeout=60_000)
    page.get_by_role("button", name="Go on").click()
    wait_for(page, "document.getElementById('p-coach').dataset.reps === '1'", timeout=80)
    wait_for(page, "document.getElementById('p-coach').dataset.reps === '2'", timeout=60)
    count = page.locator("#p-coach-count")
    assert count.inner_text().startswith("Camera counted: 2 reps")
    # Filmed face-on, while the lunge needs a side view: the coach says so, large.
    wait_for(page, "document.getElementById('p-coach').dataset.cue === 'view'", timeout=10)
    assert "Set the camera at your side" in page.locator("#p-coach-cue").inner_text()
    # While the model runs in software it holds the page's one thread for seconds at a
    # time, longer than a click's checks wait: the buttons get the click event directly.
    page.locator("#p-pause").dispatch_event("click")  # paused, the model rests
    page.wait_for_selector("#player[data-state=paused]", state="attached")
    check_page(page, "player-coach")
    assert grade(coach.inner_text()) <= 6  # read while moving
    page.get_by_role("button", name="Go on").click()
    page.wait_for_timeout(8_000)  # the third squat stays unfinished

    page.locator("#p-skip").dispatch_event("click")  # the lunge ends: saved
    page.wait_for_selector("#player[data-outbox='0']", state="attached")
    history = page.request.get(seeded.url + "api/history").json()
    saved = next(s for s in history if s["id"] == session_id)
    lunge = {c["side"]: c for c in saved["coach"] if c["exercise_id"] == "forward_lunge"}
    assert [(c["side"], c["reps"], c["saved"]) for c in lunge.values()] == [("left", 2, True)]
    assert {s["exercise_id"] for s in saved["sets"]} == {"standing_knee_lift", "forward_lunge"}
    page.locator("#p-camera").dispatch_event("click")
    page.wait_for_selector("#p-coach[data-camera=off]", state="attached")
    assert page.locator("#p-coach").get_attribute("data-camera") == "off"
    ctx.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"
