"""A notification server for tests, on a real D-Bus session bus (dbus-run-session).

Run as a program inside `dbus-run-session`, it owns org.freedesktop.Notifications (Notify,
CloseNotification, GetCapabilities with "actions", GetServerInformation, and the
ActionInvoked and NotificationClosed signals) and, if asked, an idle-time service
(org.freedesktop.ScreenSaver GetSessionIdleTime or org.gnome.Mutter.IdleMonitor
GetIdletime) whose answer the test sets. It records every notification. A test drives it
through a control interface on the same bus (org.psoas.Test: Sent, Invoke, AnswerNext, SetIdle),
with `NotificationBus` below, which starts and stops the whole bus. Idle time stays where
the test set it (it does not grow), so a sped-up clock does not turn a pause into a break.
bench/breaks.py uses it too.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import (
    DBusBool,
    DBusDict,
    DBusInt32,
    DBusSignature,
    DBusStr,
    DBusUInt32,
    DBusUInt64,
)
from dbus_fast.service import ServiceInterface, dbus_method, dbus_signal

CONTROL = ("org.psoas.Test", "/org/psoas/Test", "org.psoas.Test")
IDLE_KINDS = ("screensaver", "mutter", "none")
ANSWER_AFTER_S = 0.05
Strings = Annotated[list[str], DBusSignature("as")]
ServerInfo = Annotated[list[str], DBusSignature("ssss")]
IdAndKey = Annotated[list[Any], DBusSignature("us")]
IdAndReason = Annotated[list[int], DBusSignature("uu")]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Variant) else value


class Notifications(ServiceInterface):
    """org.freedesktop.Notifications, as a desktop's notification server offers it."""

    def __init__(self) -> None:
        super().__init__("org.freedesktop.Notifications")
        self.sent: list[dict[str, Any]] = []
        self.answer_next: str | None = None  # pressed as soon as a notification offers it

    @dbus_method()
    def GetCapabilities(self) -> Strings:
        return ["actions", "body"]

    @dbus_method()
    def GetServerInformation(self) -> ServerInfo:
        return ["psoas-test", "psoas", "1.0", "1.2"]

    @dbus_method()
    def Notify(
        self,
        app_name: DBusStr,
        replaces_id: DBusUInt32,
        app_icon: DBusStr,
        summary: DBusStr,
        body: DBusStr,
        actions: Strings,
        hints: DBusDict,
        expire_timeout: DBusInt32,
    ) -> DBusUInt32:
        nid = len(self.sent) + 1
        self.sent.append(
            {
                "id": nid,
                "app_name": app_name,
                "summary": summary,
                "body": body,
                "actions": [list(p) for p in zip(actions[::2], actions[1::2], strict=True)],
                "hints": {k: str(_plain(v)) for k, v in hints.items()},
                "expire_timeout": expire_timeout,
                "closed": None,
                "pressed": None,
                "at": time.time(),
            }
        )
        key, keys = self.answer_next, actions[::2]
        if key is not None and key in keys:
            self.answer_next = None  # after the reply: a client learns the id from it
            asyncio.get_running_loop().call_later(ANSWER_AFTER_S, self.press, nid, key)
        return nid

    def press(self, nid: int, key: str) -> bool:
        """The person presses a button: ActionInvoked, then the server closes it."""
        if not 0 < nid <= len(self.sent) or self.sent[nid - 1]["closed"] is not None:
            return False
        self.sent[nid - 1]["pressed"] = key
        self.ActionInvoked(nid, key)
        self.close(nid, 2)
        return True

    @dbus_method()
    def CloseNotification(self, nid: DBusUInt32):
        self.close(nid, 3)

    def close(self, nid: int, reason: int) -> None:
        note = self.sent[nid - 1] if 0 < nid <= len(self.sent) else None
        if note is not None and note["closed"] is None:
            note["closed"] = reason
            self.NotificationClosed(nid, reason)

    @dbus_signal()
    def ActionInvoked(self, nid: int, key: str) -> IdAndKey:
        return [nid, key]

    @dbus_signal()
    def NotificationClosed(self, nid: int, reason: int) -> IdAndReason:
        return [nid, reason]


class Idle:
    """The idle time the test set, in milliseconds."""

    ms = 0


class ScreenSaver(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.freedesktop.ScreenSaver")

    @dbus_method()
    def GetSessionIdleTime(self) -> DBusUInt32:
        return Idle.ms


class MutterIdle(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.gnome.Mutter.IdleMonitor")

    @dbus_method()
    def GetIdletime(self) -> DBusUInt64:
        return Idle.ms


class Control(ServiceInterface):
    """What the test does: read what was sent, press a button, set the idle time."""

    def __init__(self, notifications: Notifications) -> None:
        super().__init__(CONTROL[2])
        self.notifications = notifications

    @dbus_method()
    def Sent(self) -> DBusStr:
        return json.dumps(self.notifications.sent)

    @dbus_method()
    def Invoke(self, nid: DBusUInt32, action_key: DBusStr) -> DBusBool:
        return self.notifications.press(nid, action_key)

    @dbus_method()
    def AnswerNext(self, action_key: DBusStr):
        """Press this button on the next notification that offers it, right away (as a
        person with a finger on it would, inside a short snooze window)."""
        self.notifications.answer_next = action_key

    @dbus_method()
    def SetIdle(self, ms: DBusUInt64):
        Idle.ms = ms


async def serve(address_file: Path, idle: str) -> None:
    bus = await MessageBus().connect()
    notifications = Notifications()
    bus.export("/org/freedesktop/Notifications", notifications)
    await bus.request_name("org.freedesktop.Notifications")
    if idle == "screensaver":
        bus.export("/org/freedesktop/ScreenSaver", ScreenSaver())
        await bus.request_name("org.freedesktop.ScreenSaver")
    elif idle == "mutter":
        bus.export("/org/gnome/Mutter/IdleMonitor/Core", MutterIdle())
        await bus.request_name("org.gnome.Mutter.IdleMonitor")
    bus.export(CONTROL[1], Control(notifications))
    await bus.request_name(CONTROL[0])
    tmp = address_file.with_name(address_file.name + ".tmp")
    tmp.write_text(os.environ["DBUS_SESSION_BUS_ADDRESS"], encoding="utf-8")
    tmp.replace(address_file)  # whole, once every name is owned
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    bus.disconnect()
    with contextlib.suppress(Exception):  # the end of the connection, as expected
        await bus.wait_for_disconnect()


# The test's side ------------------------------------------------------------------------


def run_apart(coro: Any) -> Any:
    """`asyncio.run` in a thread of its own: the test process may already run an event
    loop in its main thread (Playwright's sync API leaves one running for the session)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class NotificationBus:
    """A private session bus with this server on it, for the length of a `with` block."""

    def __init__(self, idle: str = "screensaver") -> None:
        if idle not in IDLE_KINDS:
            raise ValueError(f"idle: one of {IDLE_KINDS}")
        if shutil.which("dbus-run-session") is None:
            raise RuntimeError("dbus-run-session is missing: apt-get install dbus")
        self.idle = idle
        self.address = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="psoas-bus-")

    def __enter__(self) -> NotificationBus:
        address_file = Path(self._dir.name) / "address"
        self._log = Path(self._dir.name) / "bus.log"
        with self._log.open("w") as log:  # dbus-daemon's notes; shown if it fails to start
            self._proc = subprocess.Popen(
                [
                    "dbus-run-session",
                    "--",
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--address-file",
                    str(address_file),
                    "--idle",
                    self.idle,
                ],
                stdin=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while not address_file.exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                said = self._log.read_text()
                self.__exit__()
                raise RuntimeError(f"the test notification server did not start: {said}")
            time.sleep(0.05)
        self.address = address_file.read_text(encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
        self._dir.cleanup()

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """`base` with this bus as the session bus (and no display to open windows on)."""
        env = {**base, "DBUS_SESSION_BUS_ADDRESS": self.address}
        for name in ("DISPLAY", "WAYLAND_DISPLAY"):
            env.pop(name, None)
        return env

    def _call(self, member: str, signature: str = "", body: list[Any] | None = None) -> Any:
        async def call() -> Any:
            bus = await MessageBus(bus_address=self.address).connect()
            try:
                reply = await bus.call(
                    Message(
                        destination=CONTROL[0],
                        path=CONTROL[1],
                        interface=CONTROL[2],
                        member=member,
                        signature=signature,
                        body=body or [],
                    )
                )
            finally:
                bus.disconnect()
                with contextlib.suppress(Exception):  # the end of the connection, as expected
                    await bus.wait_for_disconnect()
            if reply.message_type != MessageType.METHOD_RETURN:
                raise RuntimeError(f"{member}: {reply.body}")
            return reply.body[0] if reply.body else None

        return run_apart(call())

    def sent(self) -> list[dict[str, Any]]:
        return json.loads(self._call("Sent"))

    def invoke(self, nid: int, action_key: str) -> bool:
        return self._call("Invoke", "us", [nid, action_key])

    def answer_next(self, action_key: str) -> None:
        self._call("AnswerNext", "s", [action_key])

    def set_idle(self, seconds: float) -> None:
        self._call("SetIdle", "t", [round(seconds * 1000)])

    def wait_for(self, check, timeout: float = 30.0, what: str = "a notification"):
        """Poll `check(sent)` until it returns something true; that value."""
        deadline = time.monotonic() + timeout
        while True:
            found = check(self.sent())
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {timeout:g} s: {self.sent()}")
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address-file", type=Path, required=True)
    parser.add_argument("--idle", choices=IDLE_KINDS, default="screensaver")
    args = parser.parse_args()
    asyncio.run(serve(args.address_file, args.idle))


if __name__ == "__main__":
    main()
