"""The camera coach's shell: a video or a picture in, pose landmark frames out.

`video` decodes a clip or a still picture into RGB frames (OpenCV), `pose` runs MediaPipe's
pose model on them. Everything after the landmarks is the pure core (`psoas.core.coach`),
so the rules are tested without the model. Both need the optional `coach` extra
(`pip install 'psoas[coach]'`); they import it only when called, so psoas starts fast and
works without it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

INSTALL_HINT = "pip install 'psoas[coach]'"


class CoachUnavailable(RuntimeError):
    """The coach extra is not installed, or a system library it loads is missing."""


def need_extra(module: str) -> None:
    """Raise CoachUnavailable, saying how to fix it, when `module` cannot be imported."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        if isinstance(exc, ModuleNotFoundError):
            raise CoachUnavailable(
                f"the camera coach is not installed; run {INSTALL_HINT} (or make run)"
            ) from None
        # OpenCV's wheel loads system libraries (libGL, GLib) that a bare machine may lack.
        raise CoachUnavailable(
            f"the camera coach cannot start: {exc}; on Debian or Ubuntu run "
            "'apt-get install libgl1 libglib2.0-0 libsm6 libxext6'"
        ) from None


@contextmanager
def quiet_native_logs() -> Iterator[None]:
    """MediaPipe's C++ side, TensorFlow Lite and libjpeg ("Premature end of JPEG file")
    print straight to file descriptor 2, past Python. In the terminal those lines would
    bury the report and break the promise of one line per error, so for the length of the
    block descriptor 2 goes to a scratch file, while Python's `sys.stderr` (a progress
    bar, an error) keeps writing to where descriptor 2 pointed before."""
    sys.stderr.flush()
    saved = os.dup(2)
    python_stderr = sys.stderr
    try:
        with (
            tempfile.TemporaryFile() as sink,
            open(saved, "w", closefd=False, encoding="utf-8", errors="replace") as terminal,
        ):
            os.dup2(sink.fileno(), 2)
            sys.stderr = terminal
            try:
                yield
            finally:
                terminal.flush()
                sys.stderr = python_stderr
                os.dup2(saved, 2)
    finally:
        os.close(saved)
