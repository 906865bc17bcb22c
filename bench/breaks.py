"""The move-break runner at rest: `psoas breaks run` for 60 s, since it runs all day.

Starts a private D-Bus session bus with the tests' notification server and idle-time
service (tests/dbus_notifications.py), a fresh store with breaks on all day every 30
minutes, and `psoas breaks run` on the real clock. Once it has started (its "idle time"
line), it reads the runner's CPU time from /proc/PID/stat, waits WINDOW_S, reads it again,
and its resident memory from /proc/PID/status. Targets (issue 15): under 0.5 % of one core
and under 60 MB. Prints `breaks_idle_cpu_pct: X %` and `breaks_rss_mb: Y MB` (and the
peak, `breaks_rss_peak_mb`). Linux only (/proc).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.dbus_notifications import NotificationBus  # noqa: E402 (after the path)

WINDOW_S = 60.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc/PID/stat (fields 14 and 15)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise SystemExit(f"no {field} in /proc/{pid}/status")


def main() -> None:
    psoas = shutil.which("psoas", path=str(Path(sys.executable).parent)) or "psoas"
    with tempfile.TemporaryDirectory(prefix="psoas-bench-breaks-") as tmp:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PSOAS_DATABASE_URL", "PSOAS_BREAKS_SPEED", "PSOAS_BREAKS_EPOCH")
        }
        env.update(PSOAS_DATA_DIR=str(Path(tmp) / "data"), HOME=tmp)
        for args in (("settings", "--hours", "mon-sun=00:00-23:59", "--zone", "UTC"), ("on",)):
            subprocess.run([psoas, "breaks", *args], env=env, check=True, capture_output=True)
        with NotificationBus(idle="screensaver") as bus:
            runner = subprocess.Popen(
                [psoas, "breaks", "run"],
                env=bus.env(env),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            try:
                for line in runner.stdout:  # type: ignore[union-attr]
                    if line.startswith("idle time:"):
                        break
                else:
                    raise SystemExit("psoas breaks run stopped before it started")
                before, t0 = cpu_seconds(runner.pid), time.monotonic()
                time.sleep(WINDOW_S)
                used, spent = cpu_seconds(runner.pid) - before, time.monotonic() - t0
                rss, peak = memory_mb(runner.pid, "VmRSS"), memory_mb(runner.pid, "VmHWM")
            finally:
                runner.send_signal(signal.SIGTERM)
                runner.communicate(timeout=30)
    print(f"breaks_idle_cpu_pct: {100 * used / spent:.3f} %")
    print(f"breaks_rss_mb: {rss:.1f} MB")
    print(f"breaks_rss_peak_mb: {peak:.1f} MB")


if __name__ == "__main__":
    main()
