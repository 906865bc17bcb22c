"""How long the person has not touched the computer, where the desktop says so.

Linux: GNOME's Mutter idle monitor (org.gnome.Mutter.IdleMonitor GetIdletime) and the
freedesktop screensaver (org.freedesktop.ScreenSaver GetSessionIdleTime, which KDE
Plasma and some others answer), both in milliseconds, over the session D-Bus with
dbus-fast. The first that answers at start is used. Elsewhere (macOS, Windows, a Linux
desktop that answers neither, no session bus) idle time is not available: the runner
then counts on wall time and the person says "I moved".
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass

CALL_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Source:
    name: str  # what to call it in words
    bus_name: str
    path: str
    interface: str
    member: str


SOURCES = (
    Source(
        "GNOME (Mutter idle monitor)",
        "org.gnome.Mutter.IdleMonitor",
        "/org/gnome/Mutter/IdleMonitor/Core",
        "org.gnome.Mutter.IdleMonitor",
        "GetIdletime",
    ),
    Source(
        "the freedesktop screensaver",
        "org.freedesktop.ScreenSaver",
        "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver",
        "GetSessionIdleTime",
    ),
)
NOT_AVAILABLE = "not available here, use 'I moved'"


class IdleReader:
    """Reads the session's idle time; `source` names where from, or None."""

    def __init__(self) -> None:
        self._bus = None
        self.source: Source | None = None
        self.why_not = NOT_AVAILABLE

    async def start(self) -> bool:
        """Find a desktop service that answers. False (and `why_not`) when none does."""
        if not sys.platform.startswith("linux"):
            return False
        from dbus_fast.aio import MessageBus

        try:
            self._bus = await MessageBus().connect()
        except Exception:  # no session bus (a server, a plain console)
            return False
        for source in SOURCES:
            self.source = source
            if await self.seconds() is not None:
                return True
        self.source = None
        await self.close()
        return False

    async def seconds(self) -> float | None:
        """Seconds since the last key or mouse input; None when the desktop stops answering."""
        if self._bus is None or self.source is None:
            return None
        import asyncio

        from dbus_fast import Message, MessageType

        s = self.source
        call = Message(destination=s.bus_name, path=s.path, interface=s.interface, member=s.member)
        try:
            reply = await asyncio.wait_for(self._bus.call(call), CALL_TIMEOUT_S)
        except (TimeoutError, Exception):
            return None
        if reply is None or reply.message_type != MessageType.METHOD_RETURN or not reply.body:
            return None
        return float(reply.body[0]) / 1000.0

    async def close(self) -> None:
        if self._bus is not None:
            bus, self._bus = self._bus, None
            bus.disconnect()
            with contextlib.suppress(Exception):  # the end of the connection, as expected
                await bus.wait_for_disconnect()


async def probe() -> str:
    """In words: where idle time comes from here, for `psoas breaks status`."""
    reader = IdleReader()
    try:
        if await reader.start():
            return f"read from {reader.source.name}"  # type: ignore[union-attr]
        return reader.why_not
    finally:
        await reader.close()
