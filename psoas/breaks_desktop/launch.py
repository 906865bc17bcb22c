"""Opening the guided break when the person presses "Take a break".

First a terminal running `psoas breaks now`: the one $TERMINAL names (the person's own
choice; it is called as `$TERMINAL -e psoas breaks now`), else on a desktop with a display
the first known terminal found (Debian's x-terminal-emulator, GNOME's, KDE's, Xfce's and
a few others), or Terminal on macOS. Without one, the browser at the web app's guided
break (/breaks/now/) when `psoas serve` is running on this computer. Without either, the
caller tells the person to run `psoas breaks now` themselves.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping

# (program, the arguments before the command to run in it)
TERMINALS = (
    ("x-terminal-emulator", ["-e"]),
    ("gnome-terminal", ["--"]),
    ("konsole", ["-e"]),
    ("xfce4-terminal", ["-x"]),
    ("kitty", []),
    ("alacritty", ["-e"]),
    ("foot", []),
    ("wezterm", ["start", "--"]),
    ("xterm", ["-e"]),
)
WEB_PATH = "/breaks/now/"  # the web app's guided break


def terminal_command(command: list[str], environ: Mapping[str, str]) -> list[str] | None:
    """The command that opens a terminal window running `command`; None when none is found."""
    chosen = environ.get("TERMINAL", "").strip()
    if chosen:
        return [*shlex.split(chosen), "-e", *command]
    path = environ.get("PATH")
    if sys.platform == "darwin":
        if shutil.which("osascript", path=path) is None:
            return None
        script = f'tell application "Terminal" to do script "{shlex.join(command)}"'
        return ["osascript", "-e", script, "-e", 'tell application "Terminal" to activate']
    if not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        return None  # no desktop to open a window on
    for program, before in TERMINALS:
        if shutil.which(program, path=path):
            return [program, *before, *command]
    return None


def web_break_url(port: int) -> str | None:
    """The web app's break page when a psoas server answers on this computer's `port`."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
    except OSError:
        return None
    return f"http://127.0.0.1:{port}{WEB_PATH}"


def open_break(
    psoas: str, environ: Mapping[str, str] | None = None
) -> tuple[str, subprocess.Popen | None]:
    """Open the guided break (`psoas` is the command's full path); returns what happened
    in words, and the process started."""
    env = dict(os.environ if environ is None else environ)
    command = [psoas, "breaks", "now"]
    terminal = terminal_command(command, env)
    if terminal is not None:
        try:
            proc = subprocess.Popen(
                terminal,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                env=env,
            )
        except OSError as exc:
            return f"could not open a terminal ({terminal[0]}: {exc.strerror or exc})", None
        return f"opened the break in a terminal ({terminal[0]})", proc
    from psoas.cli.serve import DEFAULT_PORT

    url = web_break_url(DEFAULT_PORT)
    if url is not None:
        import webbrowser

        if webbrowser.open(url):
            return f"opened the break in the browser ({url})", None
    return "", None
