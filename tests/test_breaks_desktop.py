"""`psoas breaks run` end to end on a real D-Bus session bus (dbus-run-session), with the
test's notification server (tests/dbus_notifications.py) and the real desktop-notifier
and dbus-fast: reminders arrive with their actions, pressing them is recorded in the
store, a pause read as idle time becomes a natural break, "Take a break" runs the guided
break, which is saved, and a break taken elsewhere takes the reminder down. The clock
runs 120 times faster (PSOAS_BREAKS_SPEED): a 20-minute interval comes every 10 seconds.
Then the parts on their own: where idle time comes from, the time zone, the clock, the
unit files and the terminal to open."""

from __future__ import annotations

import json
import os
import plistlib
import signal
import subprocess
import time
from pathlib import Path

import pytest

from psoas.breaks_desktop import service
from psoas.breaks_desktop.clock import BreakClock, ClockError
from psoas.breaks_desktop.idle import IdleReader
from psoas.breaks_desktop.launch import terminal_command
from psoas.breaks_desktop.zone import system_zone
from tests.dbus_notifications import NotificationBus, run_apart
from tests.test_cli import PSOAS
from tests.test_tracking_cli import run

SPEED = 120
WAIT_S = 60  # real seconds for anything to happen: a reminder comes every 10
ACTIONS = [
    ["default", ""],
    ["take", "Take a break"],
    ["snooze", "Snooze 5 min"],
    ["skip", "Skip"],
    ["moved", "I moved"],
]


def keys(note: dict) -> list[str]:
    return [a[0] for a in note["actions"]]


@pytest.fixture
def desk(env, tmp_path):
    """A store with breaks on all day, every 20 minutes, 1-minute breaks, in UTC, on a
    clock 120 times faster; a stand-in terminal that runs what it is given."""
    log = tmp_path / "terminal.log"
    term = tmp_path / "term"
    term.write_text(
        "#!/bin/sh\n"
        "# A terminal without a window: runs the command after -e, its output to a file.\n"
        '[ "$1" = "-e" ] && shift\n'
        f'exec "$@" > "{log}" 2>&1\n'
    )
    term.chmod(0o755)
    e = {
        **env,
        "PSOAS_BREAKS_SPEED": str(SPEED),
        "PSOAS_BREAKS_EPOCH": repr(time.time()),
        "TERMINAL": str(term),
        "HOME": str(tmp_path / "home"),
    }
    for args in (
        ("settings", "--hours", "mon-sun=00:00-23:59", "--interval", "20"),
        ("settings", "--break-length", "1", "--zone", "UTC", "--snooze-min", "5"),
        ("on",),
    ):
        r = run(e, "breaks", *args)
        assert r.returncode == 0, r.stderr
    return e, log


def week(env) -> dict:
    r = run(env, "breaks", "stats", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["week"]


def wait_week(env, what: str, count: int) -> dict:
    deadline = time.monotonic() + WAIT_S
    while (w := week(env))[what] < count:
        assert time.monotonic() < deadline, f"{what} stayed at {w[what]}, not {count}: {w}"
        time.sleep(0.2)
    return w


def test_breaks_run_on_a_session_bus(desk, tmp_path):
    base, terminal_log = desk
    out = tmp_path / "run.out"
    with NotificationBus(idle="screensaver") as bus, out.open("w") as sink:
        env = bus.env(base)
        runner = subprocess.Popen(
            [PSOAS, "breaks", "run"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            # 1. A reminder with its four actions; "I moved" counts as a break.
            first = bus.wait_for(lambda s: s and s[0], WAIT_S, "first reminder")
            assert first["app_name"] == "psoas" and first["summary"] == "Time to move"
            assert first["actions"] == ACTIONS
            assert "Stand up and move for 1 minute" in first["body"]
            assert "20 minutes after you turned breaks on" in first["body"]
            assert "2 snoozes left" in first["body"]
            assert bus.invoke(first["id"], "moved")
            wait_week(env, "taken", 1)

            # 2. Snoozed at once, inside its window: it comes back 5 minutes later.
            bus.answer_next("snooze")
            wait_week(env, "snoozed", 1)
            back = bus.wait_for(
                lambda s: [n for n in s if "5 minutes after your snooze" in n["body"]],
                WAIT_S,
                "reminder after the snooze",
            )[0]
            assert "snooze" in keys(back) and "1 snooze left" in back["body"]
            # Its snooze window ends: shown again without Snooze, the first one closed.
            plain = bus.wait_for(
                lambda s: [n for n in s if n["id"] > back["id"]], WAIT_S, "reminder again"
            )[0]
            assert keys(plain) == ["default", "take", "skip", "moved"]
            assert "Take the break now, or skip it" in plain["body"]
            assert bus.sent()[back["id"] - 1]["closed"] == 3
            # A late press on Snooze anyway is refused in words; then Skip is recorded.
            assert bus.invoke(plain["id"], "snooze")
            refused = bus.wait_for(
                lambda s: [n for n in s if n["id"] > plain["id"]], WAIT_S, "refusal"
            )[0]
            assert refused["body"].startswith("Snooze is only offered in the first 60 seconds")
            assert "snooze" not in keys(refused)
            assert week(env)["snoozed"] == 1
            assert bus.invoke(refused["id"], "skip")
            wait_week(env, "skipped", 1)

            # 3. Away from the keys for an hour (half a minute at this speed), then back.
            seen = len(bus.sent())
            bus.set_idle(30)
            time.sleep(3)
            bus.set_idle(0)
            wait_week(env, "natural", 1)
            assert len(bus.sent()) == seen  # no reminder while away

            # 4. "Take a break" opens the guided break, which is saved when it ends.
            take = bus.wait_for(
                lambda s: [n for n in s[seen:] if "after your last break" in n["body"]],
                WAIT_S,
                "reminder after the natural break",
            )[0]
            assert bus.invoke(take["id"], "take")
            wait_week(env, "taken", 2)

            # 5. A break taken elsewhere (here in another terminal) takes the reminder down.
            shown = bus.wait_for(
                lambda s: [n for n in s if n["id"] > take["id"] and n["closed"] is None],
                WAIT_S,
                "the next reminder",
            )[0]
            r = run(env, "breaks", "now", "--no-input", "--json")
            assert r.returncode == 0 and json.loads(r.stdout)["counted"], r.stderr
            bus.wait_for(lambda s: s[shown["id"] - 1]["closed"] == 3, WAIT_S, "reminder closed")
            w = week(env)
        finally:
            runner.send_signal(signal.SIGTERM)
            code = runner.wait(30)
    assert code == 0
    said = out.read_text()
    assert "desktop notifications: on" in said
    assert "idle time: read from the freedesktop screensaver" in said
    assert "Welcome back: " in said and "counts as a break" in said
    assert "Take a break: opened the break in a terminal" in said
    assert said.rstrip().endswith("stopped")
    assert "Well done: that break counts." in terminal_log.read_text()
    assert w["taken"] == 3 and w["natural"] == 1 and w["snoozed"] == 1 and w["skipped"] == 1
    assert w["prompted"] == 5  # the reminders shown again (no snooze, refused) are not new


def test_without_a_notification_service_reminders_are_written_out(desk, tmp_path):
    base, _ = desk
    env = {**base, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-bus"}
    runner = subprocess.Popen(
        [PSOAS, "breaks", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        lines = []
        deadline = time.monotonic() + WAIT_S
        while not any("Time to move." in line for line in lines):
            assert time.monotonic() < deadline, lines
            lines.append(runner.stdout.readline().decode())
    finally:
        runner.send_signal(signal.SIGINT)
        rest = runner.communicate(timeout=30)[0].decode()
    said = "".join(lines) + rest
    assert "desktop notifications: no notification service answers here" in said
    assert "idle time: not available here, use 'I moved'" in said
    assert "Run 'psoas breaks now' for a guided break." in said
    assert runner.returncode == 0
    assert week(env)["prompted"] >= 1


def test_the_runner_outlives_a_store_it_cannot_use_for_a_while(desk, tmp_path):
    base, _ = desk
    env = {**base, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-bus"}
    store = Path(env["PSOAS_DATA_DIR"]) / "psoas.sqlite3"
    runner = subprocess.Popen(
        [PSOAS, "breaks", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )

    def until(words: str) -> str:
        deadline = time.monotonic() + WAIT_S
        while words not in (line := runner.stdout.readline().decode()):
            assert line and time.monotonic() < deadline, f"no '{words}'"
        return line

    try:
        until("idle time:")
        store.rename(store.with_suffix(".away"))  # SQLite makes an empty file in its place
        assert "no such table" in until("Could not use the store")
        store.with_suffix(".away").replace(store)
        until("Time to move.")  # the first reminder, 20 minutes (10 s) in, as planned
    finally:
        runner.send_signal(signal.SIGTERM)
        runner.communicate(timeout=30)
    assert runner.returncode == 0
    assert week(env)["prompted"] == 1


@pytest.mark.parametrize(
    ("idle", "said"),
    [
        ("screensaver", "read from the freedesktop screensaver"),
        ("mutter", "read from GNOME (Mutter idle monitor)"),
        ("none", "not available here, use 'I moved'"),
    ],
)
def test_where_idle_time_comes_from(env, idle, said):
    with NotificationBus(idle=idle) as bus:
        r = run(bus.env(env), "breaks", "status", "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["idle_time"] == said
        if idle == "none":
            return
        bus.set_idle(42.5)

        async def read() -> float | None:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = bus.address
            reader = IdleReader()
            try:
                assert await reader.start()
                return await reader.seconds()
            finally:
                await reader.close()

        saved = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        try:
            assert run_apart(read()) == 42.5
        finally:
            if saved is None:
                os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
            else:
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = saved


# The parts on their own ------------------------------------------------------------------


def test_system_zone_from_tz_then_the_localtime_link_then_etc_timezone(tmp_path):
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Europe/Paris")
    tz_file = tmp_path / "timezone"
    tz_file.write_text("Asia/Tokyo\n")
    missing = tmp_path / "missing"
    assert system_zone({"TZ": ":America/Chicago"}, link, tz_file) == "America/Chicago"
    assert system_zone({"TZ": "CET-1CEST"}, link, tz_file) == "Europe/Paris"  # not IANA
    assert system_zone({}, link, tz_file) == "Europe/Paris"
    assert system_zone({}, missing, tz_file) == "Asia/Tokyo"
    assert system_zone({}, missing, missing) is None
    plain = tmp_path / "copied"
    plain.write_bytes(b"TZif")  # a copy, not a link: says nothing about its name
    assert system_zone({}, plain, missing) is None


def test_the_clock_speed_and_its_shared_epoch():
    assert BreakClock.from_env({}).speed == 1
    clock = BreakClock.from_env({"PSOAS_BREAKS_SPEED": "60", "PSOAS_BREAKS_EPOCH": "1000"})
    assert clock.epoch == 1000 and clock.real_seconds(120) == 2
    for bad, said in (("0.5", "from 1 to 10000"), ("x", "not a number")):
        with pytest.raises(ClockError, match=said):
            BreakClock.from_env({"PSOAS_BREAKS_SPEED": bad})
    with pytest.raises(ClockError, match="PSOAS_BREAKS_EPOCH"):
        BreakClock.from_env({"PSOAS_BREAKS_SPEED": "2", "PSOAS_BREAKS_EPOCH": "noon"})
    before = time.time()
    now = BreakClock(60, epoch=before - 10).now().timestamp()
    assert before + 580 < now < before + 700  # ten real seconds at 60 times are ten minutes


def test_a_launch_agent_on_macos(tmp_path):
    cmd = ["/opt/psoas/bin/psoas", "breaks", "run"]
    env = {"PSOAS_DATA_DIR": "/data/psoas", "PATH": ""}
    out = service.install("darwin", tmp_path, env, cmd)
    path = tmp_path / "Library" / "LaunchAgents" / "org.psoas.breaks.plist"
    assert out.path == path and out.action == "written"
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == "org.psoas.breaks" and agent["ProgramArguments"] == cmd
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["EnvironmentVariables"] == {"PSOAS_DATA_DIR": "/data/psoas"}
    assert out.steps == [f"launchctl bootstrap gui/$(id -u) {path}"]
    removed = service.uninstall("darwin", tmp_path, env)
    assert removed.action == "removed" and not path.exists()
    assert "launchctl is not on this computer" in removed.notes[0]
    with pytest.raises(service.ServiceError, match="startup programs"):
        service.install("win32", tmp_path, env, cmd)


def test_a_unit_file_quotes_what_systemd_would_expand(tmp_path):
    cmd = ["/home/a b/100%/psoas", "breaks", "run"]
    env = {"PSOAS_DATABASE_URL": 'postgresql://u:p"w@h/db', "XDG_CONFIG_HOME": str(tmp_path)}
    out = service.install("linux", tmp_path, env, cmd)
    text = out.path.read_text()
    assert 'ExecStart="/home/a b/100%%/psoas" "breaks" "run"' in text
    assert 'Environment="PSOAS_DATABASE_URL=postgresql://u:p\\"w@h/db"' in text
    assert out.path.stat().st_mode & 0o077 == 0  # a password may be in it


def test_which_terminal_opens_the_break(tmp_path):
    cmd = ["psoas", "breaks", "now"]
    assert terminal_command(cmd, {"TERMINAL": "my-term --big"}) == [
        "my-term",
        "--big",
        "-e",
        *cmd,
    ]
    assert terminal_command(cmd, {"PATH": str(tmp_path)}) is None  # no display
    xterm = tmp_path / "xterm"
    xterm.write_text("#!/bin/sh\n")
    xterm.chmod(0o755)
    env = {"PATH": str(tmp_path), "DISPLAY": ":0"}
    assert terminal_command(cmd, env) == ["xterm", "-e", *cmd]
    assert terminal_command(cmd, {"PATH": str(tmp_path / "none"), "DISPLAY": ":0"}) is None
