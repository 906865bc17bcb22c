"""The camera coach's speed on this machine.

- `coach_fps`: decode, pose and analysis end to end, as `psoas analyze` runs them, on a
  640x480 clip made from the fixture clips (../shared/coach: the squats and the yoga
  flow, each fitted into 640x480 on black and played twice). Target (issue 14): at
  least 40 frames/s on 2 cores, where the model alone does about 45 to 55.
- `coach_pose_fps`: the pose model alone on the same frames, already decoded, for
  comparison with that figure.
- `coach_core_fps`: the analysis alone (the core's `analyze`) on the landmark frames the
  model gave, repeated to 60,000 frames. Target: at least 20,000 frames/s.

- `coach_latency_ms`: the browser coach's round trip on loopback, from a batch of
  landmarks sent to the cue returned: a real `psoas serve` on a fresh store, a session
  started with the forward lunge in it, and batches of 8 of the model's landmark frames
  (a quarter of a second at 30 frames a second, with world points, as the page sends
  them) posted one after another to POST /api/sessions/<id>/coach, which reads the
  coach's state from the store, feeds the batch to the core and saves the state again.
  The 95th percentile of LATENCY_BATCHES batches; `coach_latency_p50_ms` the median.
  Target: p95 under 50 ms.

The other figures are each the median of 3 runs. Needs the coach extra and the fixture
folder beside the project.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from psoas.coach import quiet_native_logs
from psoas.coach.pose import PoseModel, track
from psoas.coach.video import open_clip
from psoas.core.coach import Frame, analyze
from psoas.core.content.loader import catalog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from http_load import access_token, p, serving  # bench/, the script's own folder

from tests.coach_fixtures import COACHED_PROFILE  # (after the path)

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "coach"
CLIPS = ("pose_squats.mp4", "pose_tracking_example.mp4")
WIDTH, HEIGHT, PLAYS, RUNS = 640, 480, 2, 3
CORE_FRAMES = 60_000
EXERCISE = "kneeling_hip_flexor_stretch"  # a hold with two fault rules: the most per frame
LATENCY_BATCHES, BATCH, WARM_UP = 400, 8, 20


def make_clip(folder: Path) -> Path:
    """The fixture clips fitted into 640x480 (scaled whole, centred on black), each played
    PLAYS times, written as one MP4 at the fixtures' 5 frames a second."""
    import cv2
    import numpy as np

    path = folder / "coach-bench-640x480.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 5, (WIDTH, HEIGHT))
    for name in CLIPS:
        frames = [
            np.ascontiguousarray(f.image[:, :, ::-1]) for f in open_clip(FIXTURES / name).frames()
        ]
        fitted = [_fit(cv2, np, bgr) for bgr in frames]
        for _ in range(PLAYS):
            for bgr in fitted:
                writer.write(bgr)
    writer.release()
    return path


def _fit(cv2, np, bgr):
    h, w = bgr.shape[:2]
    scale = min(WIDTH / w, HEIGHT / h)
    small = cv2.resize(bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    out = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    y, x = (HEIGHT - small.shape[0]) // 2, (WIDTH - small.shape[1]) // 2
    out[y : y + small.shape[0], x : x + small.shape[1]] = small
    return out


def end_to_end(path: Path, exercise) -> tuple[float, list[Frame]]:
    """Frames per second from opening the file to the finished report, model start-up
    included; and the landmark frames it produced."""
    seen: list[Frame] = []

    def kept(frames):
        for f in frames:
            seen.append(f)
            yield f

    start = time.perf_counter()
    clip = open_clip(path)
    with closing(track(clip)) as frames:
        report = analyze(kept(frames), exercise, "right")
    elapsed = time.perf_counter() - start
    assert report["frames"] == len(seen)
    return len(seen) / elapsed, seen


def pose_only(path: Path) -> float:
    frames = list(open_clip(path).frames())
    with PoseModel() as model:
        model.detect(frames[0])  # the graph starts on the first frame
        start = time.perf_counter()
        for f in frames[1:]:
            model.detect(f)
        return (len(frames) - 1) / (time.perf_counter() - start)


def core_only(frames: list[Frame], exercise) -> float:
    span = frames[-1].t + 0.2
    many = [
        Frame(f.t + k * span, f.points, f.world, f.aspect)
        for k in range(CORE_FRAMES // len(frames) + 1)
        for f in frames
    ][:CORE_FRAMES]
    start = time.perf_counter()
    analyze(many, exercise, "right")
    return len(many) / (time.perf_counter() - start)


def _batches(frames: list[Frame]) -> list[bytes]:
    """The model's frames as the page would send them, 30 a second, in batches of 8."""
    t0 = time.time()
    out, k = [], 0
    while len(out) < WARM_UP + LATENCY_BATCHES:
        batch = []
        for _ in range(BATCH):
            f = frames[k % len(frames)]
            points = [list(p) for p in f.points] if f.points else None
            world = [list(p) for p in f.world] if f.points and f.world else None
            batch.append({"t": t0 + k / 30, "points": points, "world": world, "aspect": f.aspect})
            k += 1
        body = {"exercise_id": "forward_lunge", "side": "right", "frames": batch}
        out.append(json.dumps(body).encode())
    return out


def latency(frames: list[Frame]) -> list[float]:
    """Seconds from each batch sent to its answer read, against a real `psoas serve`."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PSOAS_DATA_DIR": tmp}
        env.pop("PSOAS_DATABASE_URL", None)
        psoas = str(Path(sys.executable).with_name("psoas"))
        profile = Path(tmp) / "profile.json"
        profile.write_text(json.dumps(COACHED_PROFILE))
        subprocess.run(
            [psoas, "init", "--profile", str(profile)], env=env, check=True, capture_output=True
        )
        with serving(env) as (server, host, port):
            conn = http.client.HTTPConnection(host, port, timeout=30)
            headers = {
                "Authorization": f"Bearer {access_token(server)}",
                "Content-Type": "application/json",
            }

            def post(path: str, body: bytes) -> dict:
                conn.request("POST", path, body, headers)
                r = conn.getresponse()
                data = r.read()
                assert r.status == 200, (r.status, data[:300])
                return json.loads(data)

            start = {"none_of_these": True, "pain_before": 2}
            session = post("/api/sessions", json.dumps(start).encode())["session_id"]
            times = []
            for i, body in enumerate(_batches(frames)):
                sent = time.perf_counter()
                answer = post(f"/api/sessions/{session}/coach", body)
                took = time.perf_counter() - sent
                assert "cue" in answer
                if i >= WARM_UP:
                    times.append(took)
            conn.close()
            return times


def main() -> None:
    if not FIXTURES.is_dir():
        sys.exit(f"bench/coach.py: the fixture footage is not at {FIXTURES}")
    exercise = catalog().exercises[EXERCISE]
    with tempfile.TemporaryDirectory() as tmp, quiet_native_logs():
        path = make_clip(Path(tmp))
        runs = [end_to_end(path, exercise) for _ in range(RUNS)]
        pose = [pose_only(path) for _ in range(RUNS)]
    frames = runs[0][1]
    core = [core_only(frames, exercise) for _ in range(RUNS)]
    print(f"coach_fps: {statistics.median(r[0] for r in runs):.1f} frames/s")
    print(f"coach_pose_fps: {statistics.median(pose):.1f} frames/s")
    print(f"coach_core_fps: {statistics.median(core):.0f} frames/s")
    print(f"coach_bench_frames: {len(frames)} frames of {WIDTH}x{HEIGHT}")
    times = latency(frames)
    print(f"coach_latency_ms: {1000 * p(times, 95):.1f} ms")
    print(f"coach_latency_p50_ms: {1000 * statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main()
