"""The user service that starts `psoas breaks run` at login, so breaks survive a reboot.

Linux: a systemd user unit in ~/.config/systemd/user/ (or $XDG_CONFIG_HOME/systemd/user/).
macOS: a LaunchAgent in ~/Library/LaunchAgents/. The file names the psoas command by its
full path (a service does not get your shell's PATH) and carries PSOAS_DATA_DIR and
PSOAS_DATABASE_URL when they are set, so the runner uses the same store as you. Installing
only writes the file and says how to start it; `systemctl --user` or `launchctl` may be
missing or not running, and the file is still right for the next login where they are.
Uninstalling stops the service where the tool answers, then removes the file.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

UNIT = "psoas-breaks.service"
LABEL = "org.psoas.breaks"
KEPT_ENV = ("PSOAS_DATA_DIR", "PSOAS_DATABASE_URL")  # which store the runner uses
TOOL_TIMEOUT_S = 15


class ServiceError(Exception):
    """Nothing to write on this system, in words for the person."""


@dataclass
class Outcome:
    """What install or uninstall did, for the person and for --json."""

    path: Path
    action: str  # "written", "rewritten", "removed", "absent"
    steps: list[str] = field(default_factory=list)  # commands to run next
    notes: list[str] = field(default_factory=list)  # plain sentences

    def as_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "action": self.action,
            "steps": self.steps,
            "notes": self.notes,
        }


def kind(platform: str = sys.platform) -> str:
    if platform.startswith("linux"):
        return "systemd"
    if platform == "darwin":
        return "launchd"
    raise ServiceError(
        "this system has no user service psoas can write (only Linux with systemd and "
        "macOS); start 'psoas breaks run' from your startup programs instead"
    )


def service_path(platform: str, home: Path, environ: dict[str, str]) -> Path:
    if kind(platform) == "systemd":
        config = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
        return config / "systemd" / "user" / UNIT
    return home / "Library" / "LaunchAgents" / f"{LABEL}.plist"


def psoas_path(argv0: str | None = None) -> str:
    """The full path of the psoas command running now (or else the one on PATH): what a
    service or a new terminal starts, since neither has your shell's PATH."""
    script = Path(sys.argv[0] if argv0 is None else argv0)
    if script.name.startswith("psoas") and script.is_file():
        return str(script.absolute())
    found = shutil.which("psoas")
    if found is None:
        raise ServiceError("cannot find the psoas command to start; is psoas installed?")
    return str(Path(found).absolute())


def _systemd_quote(text: str) -> str:
    """One argument or assignment in a unit file: quoted, with % and \\ and " escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"'


def unit_text(command: list[str], env: dict[str, str]) -> str:
    lines = [
        "# Written by 'psoas breaks install'; 'psoas breaks uninstall' removes it.",
        "[Unit]",
        "Description=psoas move-break reminders",
        "After=graphical-session.target",
        "",
        "[Service]",
        "ExecStart=" + " ".join(_systemd_quote(a) for a in command),
        *(f"Environment={_systemd_quote(f'{k}={v}')}" for k, v in env.items()),
        "Restart=on-failure",
        "RestartSec=60",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ]
    return "\n".join(lines)


def plist_bytes(command: list[str], env: dict[str, str], home: Path) -> bytes:
    log = str(home / "Library" / "Logs" / "psoas-breaks.log")
    agent: dict[str, object] = {
        "Label": LABEL,
        "ProgramArguments": command,
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": 60,
        "StandardOutPath": log,
        "StandardErrorPath": log,
    }
    if env:
        agent["EnvironmentVariables"] = env
    return plistlib.dumps(agent)


def _write(path: Path, data: bytes, private: bool) -> None:
    """Write the file whole (a temporary file renamed over it), readable by its owner only
    when it holds a database address (which may carry a password)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600 if private else 0o644)
    os.replace(tmp, path)


def install(
    platform: str = sys.platform,
    home: Path | None = None,
    environ: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> Outcome:
    env = dict(os.environ if environ is None else environ)
    home = home or Path.home()
    path = service_path(platform, home, env)
    cmd = command or [psoas_path(), "breaks", "run"]
    kept = {k: env[k] for k in KEPT_ENV if env.get(k)}
    existed = path.exists()
    if kind(platform) == "systemd":
        _write(path, unit_text(cmd, kept).encode(), "PSOAS_DATABASE_URL" in kept)
        out = Outcome(path, "rewritten" if existed else "written")
        out.steps = ["systemctl --user daemon-reload", f"systemctl --user enable --now {UNIT}"]
        if shutil.which("systemctl", path=env.get("PATH")) is None:
            out.notes.append(
                "systemctl is not on this computer, so nothing here can start this unit. "
                "The file is written for a system that has it; here, start "
                "'psoas breaks run' from your desktop's startup programs instead."
            )
    else:
        _write(path, plist_bytes(cmd, kept, home), "PSOAS_DATABASE_URL" in kept)
        out = Outcome(path, "rewritten" if existed else "written")
        out.steps = [f"launchctl bootstrap gui/$(id -u) {path}"]
        out.notes.append(
            "On macOS, notifications need an app bundle: from a terminal install the runner "
            "writes each reminder to ~/Library/Logs/psoas-breaks.log instead."
        )
    if kept:
        out.notes.append(f"It uses the same store as now ({', '.join(kept)} kept in the file).")
    return out


def _run(tool: list[str]) -> tuple[bool, str]:
    try:
        done = subprocess.run(
            tool, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    said = (done.stderr or done.stdout).strip().splitlines()
    return done.returncode == 0, said[0] if said else ""


def uninstall(
    platform: str = sys.platform,
    home: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Outcome:
    env = dict(os.environ if environ is None else environ)
    home = home or Path.home()
    path = service_path(platform, home, env)
    systemd = kind(platform) == "systemd"
    wants = path.parent / "default.target.wants" / UNIT
    if not path.exists() and not wants.is_symlink():
        return Outcome(path, "absent", notes=["No psoas service was installed here."])
    out = Outcome(path, "removed")
    if systemd:
        tool = ["systemctl", "--user", "disable", "--now", UNIT]
    else:
        tool = ["launchctl", "bootout", f"gui/{os.getuid()}/{LABEL}"]
    if shutil.which(tool[0], path=env.get("PATH")) is None:
        out.notes.append(f"{tool[0]} is not on this computer, so nothing was running from it.")
    else:
        ok, said = _run(tool)
        out.notes.append(
            "Stopped the service and turned it off."
            if ok
            else f"'{' '.join(tool)}' did not stop it ({said or 'no answer'}); "
            "it was probably not running."
        )
    path.unlink(missing_ok=True)
    if wants.is_symlink() and os.readlink(wants) in (str(path), f"../{UNIT}"):
        wants.unlink()
    if systemd:
        out.steps = ["systemctl --user daemon-reload"]
    return out
