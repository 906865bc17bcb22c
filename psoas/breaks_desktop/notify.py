"""A break reminder as a desktop notification with actions, through desktop-notifier.

On Linux the library talks to org.freedesktop.Notifications over the session D-Bus; on
Windows 10 and later it uses the system's toast notifications; on macOS it can only
notify from a signed app bundle, so a `psoas` started from a terminal has no
notifications there. `Notifier.start()` says in words when notifications cannot be
shown, and the runner then writes reminders to its output instead.

The person's answer comes back as one of the action keys below on `Notifier.answers`, an
asyncio queue: the runner waits on it together with its clock, so nothing polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

TAKE, SNOOZE, SKIP, MOVED = "take", "snooze", "skip", "moved"
ACTIONS = (TAKE, SNOOZE, SKIP, MOVED)
APP_NAME = "psoas"


def button_titles(snooze_min: int | None) -> dict[str, str]:
    """The actions a reminder offers, in order; no snooze when it is not allowed."""
    titles = {TAKE: "Take a break"}
    if snooze_min is not None:
        titles[SNOOZE] = f"Snooze {snooze_min} min"
    titles[SKIP] = "Skip"
    titles[MOVED] = "I moved"
    return titles


@dataclass(frozen=True)
class Answer:
    action: str  # one of TAKE, SNOOZE, SKIP, MOVED
    reminder: str  # the notification it answers


class Notifier:
    """Sends reminders and hands back the person's answers."""

    def __init__(self) -> None:
        self.answers: asyncio.Queue[Answer] = asyncio.Queue()
        self._notifier = None
        self._shown: str | None = None  # the notification on screen, if any
        self.buttons = False

    async def start(self) -> str | None:
        """Get ready; None when notifications work, else why not, in plain words."""
        from desktop_notifier.main import get_backend_class

        backend = get_backend_class()
        if backend.__name__ == "DummyNotificationCenter":
            return (
                "this computer offers no notifications to psoas (on macOS only an app "
                "bundle can show them)"
            )
        from desktop_notifier import Capability, DesktopNotifier

        # The library logs a failed send as a warning with a traceback; we say it ourselves.
        logging.getLogger("desktop_notifier").setLevel(logging.ERROR)
        self._notifier = DesktopNotifier(app_name=APP_NAME, app_icon=None)
        try:
            capabilities = await self._notifier.get_capabilities()
        except Exception as exc:  # no session bus, no notification server
            self._notifier = None
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return f"no notification service answers here ({why})"
        self.buttons = Capability.BUTTONS in capabilities
        # One handler for every button: a press that reaches us is the person's answer,
        # even on a button a newer reminder no longer offers (the runner judges it).
        self._notifier.on_button_pressed = self._pressed
        self._notifier.on_clicked = lambda reminder: self._pressed(reminder, TAKE)
        return None

    def _pressed(self, reminder: str, action: str) -> None:
        if action in ACTIONS:
            self.answers.put_nowait(Answer(action, reminder))

    @property
    def ready(self) -> bool:
        return self._notifier is not None

    async def remind(self, title: str, message: str, snooze_min: int | None) -> str:
        """Show a reminder (replacing the one on screen); returns its id."""
        from desktop_notifier import Button, Notification, Urgency

        await self.clear()
        buttons = tuple(
            Button(title=text, identifier=key) for key, text in button_titles(snooze_min).items()
        )
        note = Notification(  # clicking the reminder itself opens the break (on_clicked)
            title=title,
            message=message,
            urgency=Urgency.Normal,
            buttons=buttons if self.buttons else (),
            timeout=-1,
        )
        await self._notifier.send_notification(note)  # type: ignore[union-attr]
        self._shown = note.identifier
        return note.identifier

    async def clear(self) -> None:
        """Take the reminder off the screen (it was answered, or is out of date)."""
        shown, self._shown = self._shown, None
        if shown is None or self._notifier is None:
            return
        with contextlib.suppress(Exception):  # already closed by the person or the server
            await self._notifier.clear(shown)

    async def say(self, title: str, message: str) -> None:
        """A notification without actions (the break could not be opened, say how)."""
        from desktop_notifier import Notification

        if self._notifier is not None:
            await self._notifier.send_notification(Notification(title=title, message=message))
