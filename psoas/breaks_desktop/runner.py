"""`psoas breaks run`: the all-day loop that shows move-break reminders on the desktop.

It sleeps until the next thing can happen: the next reminder (the core's
`next_reminder`), the end of a snooze window, the moment a pause in typing would become a
natural break, or at the latest COARSE_S on its clock, when it reads the settings and
events again (the web app or another command may have changed them) and the idle time.
A person's answer on a notification wakes it at once. Nothing polls faster than that, and
between wake-ups it holds no database connection: each look at the store opens one and
closes it.

Who shows a reminder: the store's `claim_prompt` records the showing unless the web app
(or another runner) already showed it, so a person gets one reminder, not two.

Natural breaks: when the desktop reports idle time, a pause long enough to count (the
core's `is_natural_break`) that touches working hours is recorded as "natural" when the
person comes back, at the time they came back; while they are away, no reminder shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psoas.breaks_desktop.clock import BreakClock
from psoas.breaks_desktop.idle import IdleReader
from psoas.breaks_desktop.launch import open_break
from psoas.breaks_desktop.notify import MOVED, SKIP, SNOOZE, TAKE, Answer, Notifier
from psoas.core.breaks.hours import WorkingHours, hhmm, zone_of
from psoas.core.breaks.model import SNOOZE_WINDOW_S, BreakSettings, NextReminder
from psoas.core.breaks.scheduler import is_natural_break, next_reminder, snooze_refusal

COARSE_S = 60.0  # clock seconds between looks at the store and the idle time, at most
RETRY_S = COARSE_S  # after another runner showed the reminder due, look again this late
TITLE = "Time to move"
SETTLED = frozenset({"taken", "natural", "skipped", "snoozed", "quiet", "off"})  # answers


class Store:
    """The runner's calls to the store. Each runs on one worker thread (Django's database
    calls may not run in the event loop) and closes its connection when it is done."""

    def __init__(self, person: Any) -> None:
        self.person = person
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="psoas-store")

    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        def call() -> Any:
            from django.db import connections

            try:
                return fn(self.person, *args)
            finally:
                connections.close_all()

        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    async def snapshot(self, now: datetime) -> tuple[BreakSettings, list[Any]]:
        from psoas.web.breaks.services import LOOKBACK, events, load_settings

        def both(person: Any) -> tuple[BreakSettings, list[Any]]:
            return load_settings(person), events(person, now - LOOKBACK)

        return await self._call(both)

    async def claim(self, due: datetime, now: datetime) -> bool:
        from psoas.web.breaks.services import claim_prompt

        return await self._call(claim_prompt, due, now, "desktop")

    async def record(self, kind: str, at: datetime, source: str = "desktop") -> None:
        from psoas.web.breaks.services import record

        def add(person: Any) -> None:
            record(person, kind, at, source=source)

        await self._call(add)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


@dataclass
class Shown:
    """The reminder on screen: when it showed, and until when its snooze button stays."""

    at: datetime
    reminder: NextReminder
    snooze_until: datetime | None


def reminder_text(settings: BreakSettings, reminder: NextReminder, snooze: bool) -> str:
    """The notification's words: what, why, and what the buttons allow."""
    n = settings.break_min
    what = f"Stand up and move for {n} minute{'s' if n != 1 else ''}."  # the break says how
    if snooze:
        left = reminder.snoozes_left
        return (
            f"{what} ({reminder.reason}.) You can snooze it in the first minute "
            f"({left} snooze{'s' if left != 1 else ''} left)."
        )
    return f"{what} ({reminder.reason}.) Take the break now, or skip it."


class Runner:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        idle: IdleReader | None,
        clock: BreakClock,
        out: Callable[[str], None],
        opener: Callable[[], tuple[str, subprocess.Popen | None]],
    ) -> None:
        self.store, self.notifier, self.idle, self.clock = store, notifier, idle, clock
        self.out, self.opener = out, opener
        self.shown: Shown | None = None
        self.away_since: datetime | None = None
        self.children: list[subprocess.Popen] = []
        self.settings = BreakSettings()

    def say(self, now: datetime, text: str) -> None:
        self.out(f"[{hhmm(now, zone_of(self.settings.zone))}] {text}")

    async def run(self, stop: asyncio.Event) -> None:
        from django.db import Error as DatabaseError

        while not stop.is_set():
            try:
                await self.wait(await self.step(), stop)
            except (DatabaseError, OSError) as exc:  # a locked or vanished store: try again
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                self.say(self.clock.now(), f"Could not use the store ({first}); trying again.")
                with contextlib.suppress(TimeoutError):  # answers wait in their queue
                    await asyncio.wait_for(stop.wait(), self.clock.real_seconds(COARSE_S))
        await self.notifier.clear()

    async def step(self) -> datetime:
        """Look at everything once; returns when to look again."""
        self.children = [c for c in self.children if c.poll() is None]  # reap finished
        now = self.clock.now()
        self.settings, events = await self.store.snapshot(now)
        idle_s, came_back = await self.check_idle(now)
        if came_back:  # a natural break was recorded: the schedule starts again from it
            self.settings, events = await self.store.snapshot(now)
        nxt = next_reminder(self.settings, now, events)
        shown = self.shown
        if shown is not None and (
            nxt.at is None  # turned off or paused meanwhile
            or any(e.at > shown.at and e.kind in SETTLED for e in events)  # answered elsewhere
        ):
            self.shown = None
            await self.notifier.clear()
        if nxt.at is not None and nxt.at <= now and self.away_since is None:
            if not await self.store.claim(nxt.at, now):
                return now + timedelta(seconds=RETRY_S)  # shown elsewhere
            await self.show(now, nxt)
            return now  # look again at once: the next one, now that this one is recorded
        wake = now + timedelta(seconds=COARSE_S)
        if nxt.at is not None:
            wake = min(wake, nxt.at)
        shown = self.shown
        if shown is not None and shown.snooze_until is not None:
            if shown.snooze_until <= now:
                await self.notifier.remind(
                    TITLE, reminder_text(self.settings, shown.reminder, False), None
                )
                shown.snooze_until = None
            else:
                wake = min(wake, shown.snooze_until)
        if idle_s is not None and self.away_since is None:
            need = (self.settings.natural_break_min or self.settings.break_min) * 60
            wake = min(wake, now + timedelta(seconds=max(need - idle_s, 1.0)))
        return wake

    async def show(self, now: datetime, nxt: NextReminder) -> None:
        snooze = nxt.snoozes_left > 0 and nxt.can_snooze_until is not None
        text = reminder_text(self.settings, nxt, snooze)
        until = now + timedelta(seconds=SNOOZE_WINDOW_S) if snooze else None
        self.shown = Shown(now, nxt, until)
        if self.notifier.ready:
            await self.notifier.remind(TITLE, text, self.settings.snooze_min if snooze else None)
            self.say(now, f"Reminder shown: {nxt.reason}.")
        else:
            self.say(now, f"{TITLE}. {text} Run 'psoas breaks now' for a guided break.")

    async def check_idle(self, now: datetime) -> tuple[float | None, bool]:
        """Read the idle time (on this clock); a pause long enough to be a break marks the
        person away, and their return records the natural break. Returns the idle time
        (None when it cannot be read) and whether a natural break was recorded."""
        if self.idle is None:
            return None, False
        raw = await self.idle.seconds()
        if raw is None:
            return None, False
        idle_s = raw * self.clock.speed
        s = self.settings
        if s.enabled and is_natural_break(s, idle_s):
            if self.away_since is None:
                self.away_since = now - timedelta(seconds=idle_s)
                self.shown = None
                await self.notifier.clear()
        elif self.away_since is not None:
            back, away = now - timedelta(seconds=idle_s), self.away_since
            self.away_since = None
            hours = WorkingHours(s)
            if s.enabled and (hours.contains(back) or hours.contains(away)):
                await self.store.record("natural", back, "idle")
                minutes = round((back - away).total_seconds() / 60)
                self.say(now, f"Welcome back: {minutes} minutes away counts as a break.")
                return idle_s, True
        return idle_s, False

    async def wait(self, wake: datetime, stop: asyncio.Event) -> None:
        """Sleep until `wake`, an answer or a stop, whichever comes first."""
        seconds = (wake - self.clock.now()).total_seconds()
        if seconds <= 0:
            return
        getter = asyncio.ensure_future(self.notifier.answers.get())
        stopper = asyncio.ensure_future(stop.wait())
        done, pending = await asyncio.wait(
            {getter, stopper},
            timeout=self.clock.real_seconds(seconds),
            return_when=asyncio.FIRST_COMPLETED,
        )
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if getter in done:
            await self.answer(getter.result())

    async def answer(self, answer: Answer) -> None:
        now = self.clock.now()
        settings, events = await self.store.snapshot(now)
        self.settings = settings
        action = answer.action
        if action == SNOOZE:
            refusal = snooze_refusal(settings, now, events)
            if refusal is not None:
                self.say(now, f"Snooze refused: {refusal}")
                if self.shown is not None:
                    self.shown.snooze_until = None
                    text = reminder_text(settings, self.shown.reminder, False)
                    await self.notifier.remind(TITLE, f"{refusal} {text}", None)
                return
            await self.store.record("snoozed", now)
            self.say(now, f"Snoozed for {settings.snooze_min} minutes.")
        elif action == SKIP:
            await self.store.record("skipped", now)
            self.say(now, "Skipped this one.")
        elif action == MOVED:
            await self.store.record("taken", now)
            self.say(now, "You moved: that counts as a break.")
        elif action == TAKE:
            done, child = self.opener()
            if child is not None:
                self.children.append(child)
            if done:
                self.say(now, f"Take a break: {done}.")
            else:
                self.say(now, "Take a break: run 'psoas breaks now' in a terminal.")
                await self.notifier.say(
                    "Your break", "Run 'psoas breaks now' in a terminal for a guided break."
                )
        self.shown = None
        await self.notifier.clear()


async def serve(person: Any, clock: BreakClock, out: Callable[[str], None], psoas: str) -> int:
    """Run until SIGINT or SIGTERM; 0 when stopped that way. `psoas` is the command that
    opens a guided break (`psoas breaks now`)."""
    notifier = Notifier()
    why_not = await notifier.start()
    if why_not:
        out(f"desktop notifications: {why_not}; reminders are written here instead")
    else:
        out("desktop notifications: on" + ("" if notifier.buttons else " (without buttons)"))
    idle = IdleReader()
    if await idle.start():
        out(f"idle time: read from {idle.source.name}")  # type: ignore[union-attr]
    else:
        out(f"idle time: {idle.why_not}")
        idle = None
    if clock.speed != 1:
        out(f"clock: {clock.speed:g} times real speed (PSOAS_BREAKS_SPEED, for tests)")
    store = Store(person)
    runner = Runner(store, notifier, idle, clock, out, lambda: open_break(psoas))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C ends asyncio.run
            loop.add_signal_handler(sig, stop.set)
    try:
        await runner.run(stop)
    finally:
        if idle is not None:
            await idle.close()
        store.close()
    out("stopped")
    return 0


def main(psoas: str) -> int:
    """The runner on its own (`python -m psoas.breaks_desktop.runner PSOAS`), as `psoas
    breaks run` starts it once it has checked the store and the clock: a process that
    holds Django, the notifier and the core's rules, and not the command line's own
    modules, since it stays all day. PSOAS is the psoas command's full path."""
    import django

    from psoas.web.bootstrap import check_database_url

    # Django reads its settings module from the environment and sets TZ there: neither
    # may reach the guided breaks this process opens (they load the full settings).
    before = {name: os.environ.get(name) for name in ("DJANGO_SETTINGS_MODULE", "TZ")}
    os.environ["DJANGO_SETTINGS_MODULE"] = "psoas.breaks_desktop.store_settings"
    django.setup()
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    check_database_url()
    from django.db import connections

    from psoas.web.programs.services import local_person

    person = local_person()
    connections.close_all()  # it opens one only when it looks at the store

    def out(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    return asyncio.run(serve(person, BreakClock.from_env(), out, psoas))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "psoas"))
