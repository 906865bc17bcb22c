"""`psoas breaks` through the installed CLI, each test on a fresh store: switching on and
off, settings and their bad input, pausing, status and stats as JSON, a guided break that
counts, and the user service written and removed under a temporary home."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.test_tracking_cli import run

pytestmark = pytest.mark.store  # runs again on PostgreSQL in CI

ROOT = Path(__file__).resolve().parents[1]
DESK = ROOT / "examples" / "desk_worker.json"
RED_FLAG = ROOT / "examples" / "red_flag.json"
DAY_KEYS = {"day", "prompted", "taken", "natural", "snoozed", "skipped", "longest_sitting_min"}


@pytest.fixture
def benv(env, tmp_path):
    """No session bus (idle time cannot be read), a known zone, and a home of its own."""
    e = {k: v for k, v in env.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "TERMINAL")}
    e.pop("PSOAS_BREAKS_SPEED", None)
    e.pop("PSOAS_BREAKS_EPOCH", None)
    e["TZ"] = "Europe/Berlin"
    e["HOME"] = str(tmp_path / "home")
    e["XDG_CONFIG_HOME"] = str(tmp_path / "home" / "config")
    e["XDG_RUNTIME_DIR"] = str(tmp_path / "runtime")  # no user bus there either
    return e


def ok(env, *args) -> str:
    r = run(env, "breaks", *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def js(env, *args):
    return json.loads(ok(env, *args, "--json"))


def test_on_takes_the_system_zone_and_off_keeps_the_settings(benv):
    before = js(benv, "settings")
    assert before["enabled"] is False and before["zone"] == "Europe/Berlin"
    on = js(benv, "on")
    assert on["enabled"] is True and on["zone"] == "Europe/Berlin"
    assert on["interval_min"] == 30 and on["working_hours"]["mon"] == [["09:00", "17:00"]]
    js(benv, "settings", "--interval", "45")
    off = js(benv, "off")
    assert off["enabled"] is False and off["interval_min"] == 45
    words = ok(benv, "on")
    assert "every 45 minutes" in words and "Europe/Berlin" in words
    status = js(benv, "status")
    assert status["enabled"] is True
    # TZ changes no saved zone: the settings keep the zone they were saved with
    assert js({**benv, "TZ": "Asia/Tokyo"}, "settings")["zone"] == "Europe/Berlin"


def test_settings_flags_change_only_what_they_name(benv):
    s = js(
        benv,
        "settings",
        "--hours",
        "mon-fri=09:00-12:30,13:30-17:30",
        "--hours",
        "sat=10:00-12:00",
        "--hours",
        "wed=off",
        "--fixed-times",
        "15:00,10:30",
        "--interval",
        "20",
        "--break-length",
        "3",
        "--snooze-min",
        "10",
        "--snoozes",
        "1",
        "--natural-break",
        "5",
        "--zone",
        "America/New_York",
    )
    assert s["working_hours"]["mon"] == [["09:00", "12:30"], ["13:30", "17:30"]]
    assert s["working_hours"]["wed"] == []
    assert s["working_hours"]["sat"] == [["10:00", "12:00"]]
    assert s["working_hours"]["sun"] == []
    assert s["fixed_times"] == ["10:30", "15:00"]
    assert (s["interval_min"], s["break_min"], s["snooze_min"], s["snoozes"]) == (20, 3, 10, 1)
    assert s["natural_break_min"] == 5 and s["zone"] == "America/New_York"
    again = js(benv, "settings", "--fixed-times", "none")
    assert again["fixed_times"] == [] and again["working_hours"] == s["working_hours"]
    text = ok(benv, "settings")
    assert "mon  09:00-12:30, 13:30-17:30" in text and "wed  off" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("settings", "--interval", "70"), "--interval: must be a whole number from 20 to 60"),
        (("settings", "--interval", "many"), "--interval"),
        (("settings", "--break-length", "0"), "--break-length: must be a whole number from 1"),
        (("settings", "--snoozes", "9"), "--snoozes: must be a whole number from 0 to 5"),
        (("settings", "--snooze-min", "31"), "--snooze-min: must be a whole number from 1"),
        (("settings", "--natural-break", "0"), "--natural-break: must be a whole number"),
        (("settings", "--zone", "Mars/Base"), "--zone: 'Mars/Base' is not a time zone"),
        (("settings", "--zone", "Europe/" + "x" * 300), "--zone: 'Europe/xxx"),
        (("settings", "--hours", "mon-fri"), "--hours: 'mon-fri' has no '='"),
        (("settings", "--hours", "mo=09:00-17:00"), "--hours: 'mo' is not a day"),
        (("settings", "--hours", "fri-mon=09:00-17:00"), "--hours: 'fri-mon' runs backwards"),
        (("settings", "--hours", "mon=09:00"), "--hours: '09:00' is not a start-end pair"),
        (("settings", "--hours", "mon=17:00-09:00"), "--hours (mon): 17:00 to 09:00"),
        (("settings", "--hours", "mon=9-17"), "--hours (mon): '9' is not a time"),
        (("settings", "--hours", "mon=09:00-12:00,11:00-13:00"), "overlap"),
        (("settings", "--fixed-times", "25:00"), "--fixed-times: '25:00' is not a time"),
        (("pause", "2h"), "1h|until-tomorrow: '2h' is not allowed; use 1h or until-tomorrow"),
        (("now", "--fast", "0.5"), "--fast: must be from 1 to 1000"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_saves_nothing(benv, args, message):
    before = js(benv, "settings")
    r = run(benv, "breaks", *args)
    assert r.returncode == 2, r.stdout
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert js(benv, "settings") == before
    assert set(js(benv, "stats")["week"].values()) == {0}  # no event either


def test_a_bad_speed_is_refused_by_name(benv):
    r = run({**benv, "PSOAS_BREAKS_SPEED": "fast"}, "breaks", "status")
    assert r.returncode == 2
    assert r.stderr.strip() == "psoas: PSOAS_BREAKS_SPEED: 'fast' is not a number; give 1 to 10000"


def test_status_json_and_the_idle_time_without_a_desktop(benv):
    js(benv, "settings", "--hours", "mon-sun=00:00-23:59", "--interval", "20")
    js(benv, "on")
    s = js(benv, "status")
    assert set(s) == {
        "enabled",
        "zone",
        "now",
        "next",
        "shown_at",
        "quiet_until",
        "today",
        "idle_time",
    }
    assert s["enabled"] is True and s["zone"] == "Europe/Berlin"
    assert set(s["next"]) == {"at", "reason", "snoozes_left"}
    assert s["next"]["reason"] == "20 minutes after you turned breaks on"
    now, nxt = datetime.fromisoformat(s["now"]), datetime.fromisoformat(s["next"]["at"])
    assert timedelta(minutes=19) < nxt - now <= timedelta(minutes=20)
    assert set(s["today"]) == DAY_KEYS
    assert s["idle_time"] == "not available here, use 'I moved'"
    assert s["shown_at"] is None and s["quiet_until"] is None
    text = ok(benv, "status")
    assert "idle time: not available here, use 'I moved'" in text
    assert "20 minutes after you turned breaks on" in text


def test_pause_for_an_hour_and_until_tomorrow(benv):
    js(benv, "settings", "--hours", "mon-sun=08:00-18:00")
    js(benv, "on")
    hour = js(benv, "pause", "1h")
    status = js(benv, "status")
    assert status["quiet_until"] == hour["quiet_until"]
    now = datetime.fromisoformat(status["now"])
    until = datetime.fromisoformat(hour["quiet_until"])
    assert timedelta(minutes=59) < until - now <= timedelta(hours=1)
    assert datetime.fromisoformat(status["next"]["at"]) >= until
    tomorrow = datetime.fromisoformat(js(benv, "pause", "until-tomorrow")["quiet_until"])
    assert tomorrow.date() == (now + timedelta(days=1)).date()
    assert (tomorrow.hour, tomorrow.minute) == (8, 0)
    assert "Paused until tomorrow 08:00." in ok(benv, "status")


def test_stats_json_is_the_week_by_day(benv):
    js(benv, "on")
    assert js(benv, "now", "--fast", "200", "--no-input")["counted"] is True
    s = js(benv, "stats")
    assert set(s) == {"zone", "days", "week"}
    assert len(s["days"]) == 7 and all(set(d) == DAY_KEYS for d in s["days"])
    days = [d["day"] for d in s["days"]]
    assert days == sorted(days) and days[-1] == js(benv, "status")["today"]["day"]
    assert s["days"][-1]["taken"] == 1 and s["week"]["taken"] == 1
    assert set(s["week"]) == DAY_KEYS - {"day"}
    text = ok(benv, "stats")
    assert "breaks taken" in text and "This week: 1 breaks (1 taken, 0 natural)" in text


def test_a_break_without_a_plan_is_a_walk_and_counts(benv):
    r = js(benv, "now", "--fast", "200", "--no-input")
    assert r["kind"] == "walk" and r["exercises"] == [] and r["status"] == "done"
    assert r["why"] == "You have no plan yet, so your break is a short walk."
    assert r["seconds"] == 120 and r["counted"] is True
    assert js(benv, "status")["today"]["taken"] == 1


def test_a_break_from_the_plan_plays_its_exercises_and_is_no_session(benv):
    assert run(benv, "init", "--profile", str(DESK)).returncode == 0
    r = js(benv, "now", "--fast", "200", "--no-input")
    assert r["kind"] == "exercises" and r["exercises"] and r["counted"] is True
    assert r["why"] == "Picked from your own plan."
    assert r["seconds"] <= 120
    assert json.loads(run(benv, "history", "--json").stdout) == []  # not a session
    assert js(benv, "stats")["week"]["taken"] == 1


def test_a_referral_means_walking_only(benv):
    assert run(benv, "init", "--profile", str(RED_FLAG)).returncode == 3
    r = js(benv, "now", "--fast", "200", "--no-input")
    assert r["kind"] == "walk"
    assert r["why"].startswith("Your answers say to see a clinician first.")


def test_the_sped_up_clock_is_shared_through_the_environment(benv):
    """A break run on a sped-up timeline lands on that timeline, as the runner's do."""
    epoch = datetime.now().timestamp() - 60  # a minute ago, 60 times faster: an hour on
    fast = {**benv, "PSOAS_BREAKS_SPEED": "60", "PSOAS_BREAKS_EPOCH": repr(epoch)}
    js(fast, "now", "--no-input")
    real_now = datetime.fromisoformat(js(benv, "status")["now"])
    fast_now = datetime.fromisoformat(js(fast, "status")["now"])
    assert timedelta(minutes=55) < fast_now - real_now < timedelta(minutes=70)


def test_install_writes_a_user_unit_and_uninstall_removes_it(benv, tmp_path):
    unit = tmp_path / "home" / "config" / "systemd" / "user" / "psoas-breaks.service"
    out = js(benv, "install")
    assert out["path"] == str(unit) and out["action"] == "written"
    assert out["steps"] == [
        "systemctl --user daemon-reload",
        "systemctl --user enable --now psoas-breaks.service",
    ]
    text = unit.read_text()
    assert "\nExecStart=" in text and '"breaks" "run"' in text
    exec_path = text.split("ExecStart=", 1)[1].split('"')[1]
    assert os.access(exec_path, os.X_OK) and Path(exec_path).name == "psoas"
    assert f'Environment="PSOAS_DATA_DIR={benv["PSOAS_DATA_DIR"]}"' in text
    assert "WantedBy=default.target" in text
    private = "PSOAS_DATABASE_URL" in benv
    assert stat.S_IMODE(unit.stat().st_mode) == (0o600 if private else 0o644)
    words = ok(benv, "install")
    assert f"Wrote {unit} again" in words and "systemctl --user enable --now" in words
    # enabled by systemctl: the link it makes goes when the unit goes
    wants = unit.parent / "default.target.wants" / unit.name
    wants.parent.mkdir()
    wants.symlink_to(unit)
    gone = js(benv, "uninstall")
    assert gone["action"] == "removed" and not unit.exists() and not wants.is_symlink()
    assert js(benv, "uninstall")["action"] == "absent"


def test_install_without_systemctl_says_so_and_still_writes(benv, tmp_path):
    bin_dir = tmp_path / "bin"  # a PATH with psoas's own folder and no systemctl
    bin_dir.mkdir()
    no_systemctl = {**benv, "PATH": str(bin_dir)}
    from tests.test_cli import PSOAS

    r = run(no_systemctl, "breaks", "install")
    assert r.returncode == 0, r.stderr
    assert "systemctl is not on this computer" in r.stdout
    unit = tmp_path / "home" / "config" / "systemd" / "user" / "psoas-breaks.service"
    assert f'"{Path(PSOAS).absolute()}" "breaks" "run"' in unit.read_text()
    r = run(no_systemctl, "breaks", "uninstall")
    assert r.returncode == 0 and "systemctl is not on this computer" in r.stdout
    assert not unit.exists()
