"""`psoas breaks`: move breaks for desk workers, in the terminal and on the desktop.

`on`, `off`, `settings` and `pause` change what the reminders do; `status` and `stats`
show them; `now` is a guided break in the terminal; `run` keeps going all day and sends
desktop notifications; `install` and `uninstall` write and remove the user service that
starts `run` at login. The rules are the core's (`psoas.core.breaks`), the events and
settings the store's (`psoas.web.breaks`), shared with the web app. Only Typer is
imported here at load time: `psoas --help` stays fast.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

# The TZ variable as the person's shell set it: Django's settings overwrite TZ in this
# process when the store opens, so it is read before that.
TZ_AT_START = os.environ.get("TZ", "")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
PAUSES = ("1h", "until-tomorrow")
FLAGS = {  # a setting's name in the store -> its flag here, for error messages
    "enabled": "on|off",
    "zone": "--zone",
    "interval_min": "--interval",
    "break_min": "--break-length",
    "working_hours": "--hours",
    "fixed_times": "--fixed-times",
    "snooze_min": "--snooze-min",
    "snoozes": "--snoozes",
    "natural_break_min": "--natural-break",
}

breaks_app = typer.Typer(
    help="Move breaks for desk workers: reminders to stand up and move through your "
    "working day, with a short guided break.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add `psoas breaks` to the app."""
    app.add_typer(breaks_app, name="breaks")


# Shared ---------------------------------------------------------------------------------


def _clock():
    from psoas.breaks_desktop.clock import BreakClock, ClockError
    from psoas.cli.app import fail

    try:
        return BreakClock.from_env()
    except ClockError as exc:
        raise fail(str(exc)) from None


def _current(person: Any) -> tuple[Any, str | None]:
    """The person's settings, and a note when they fall back to UTC. Until the person
    saves settings, the zone is this computer's (found as `zone.system_zone` says)."""
    from dataclasses import replace

    from psoas.breaks_desktop.zone import system_zone
    from psoas.web.breaks.models import BreakConfig
    from psoas.web.breaks.services import load_settings

    settings = load_settings(person)
    if BreakConfig.objects.filter(person=person).exists():
        return settings, None
    zone = system_zone({"TZ": TZ_AT_START})
    if zone is None:
        return replace(settings, zone="UTC"), (
            "Could not find this computer's time zone (no TZ variable, no /etc/localtime "
            "link to a zone, no /etc/timezone), so psoas uses UTC. Give yours with: "
            "psoas breaks settings --zone Europe/Berlin"
        )
    return replace(settings, zone=zone), None


def _note(note: str | None) -> None:
    if note:
        sys.stderr.write(f"psoas: {note}\n")


def _field_error(exc: Any) -> typer.Exit:
    """A store FieldError as one line naming the flag."""
    from psoas.cli.app import fail

    name, _, part = exc.field.partition(".")
    flag = FLAGS.get(name, name)
    return fail(f"{flag}{f' ({part})' if part else ''}: {exc.message}")


def _settings_json(settings: Any) -> dict[str, Any]:
    from psoas.web.breaks.codec import settings_to_json

    return settings_to_json(settings)


def _hours_words(spans: Any) -> str:
    from psoas.web.breaks.codec import hhmm

    return ", ".join(f"{hhmm(s.start)}-{hhmm(s.end)}" for s in spans) or "off"


def _print_settings(settings: Any) -> None:
    from psoas.cli.render import console
    from psoas.core.breaks.model import WEEKDAYS
    from psoas.web.breaks.codec import hhmm

    s = settings
    console.print(f"[bold]Move breaks:[/] {'on' if s.enabled else 'off'}")
    console.print(
        f"A reminder every {s.interval_min} minutes of sitting; a break takes "
        f"{s.break_min} minute{'s' if s.break_min != 1 else ''}."
    )
    console.print(f"Working hours ({s.zone}):")
    for day in WEEKDAYS:
        console.print(f"  {day}  {_hours_words(s.working_hours.get(day, ()))}")
    if s.fixed_times:
        console.print("Also at: " + ", ".join(hhmm(t) for t in s.fixed_times))
    if s.snoozes:
        console.print(f"Snooze: {s.snooze_min} minutes, up to {s.snoozes} times a reminder.")
    else:
        console.print("Snooze: off (take the break or skip it).")
    natural = s.natural_break_min or s.break_min
    console.print(f"Away from the computer for {natural} minutes or more counts as a break.")


# Settings -------------------------------------------------------------------------------


def parse_hours(values: list[str]) -> dict[str, list[list[str]]]:
    """`--hours mon-fri=09:00-12:30,13:30-17:30` (repeatable; `sat-sun=off` for days off)
    as the store's JSON: each day named gets the hours given."""
    from psoas.cli.app import fail
    from psoas.core.breaks.model import WEEKDAYS

    example = "write it like mon-fri=09:00-12:30,13:30-17:30 or sat-sun=off"
    out: dict[str, list[list[str]]] = {}
    for value in values:
        days_text, eq, spans_text = value.partition("=")
        if not eq:
            raise fail(f"--hours: '{value}' has no '='; {example}")
        first, dash, last = days_text.strip().lower().partition("-")
        last = last if dash else first
        if first not in WEEKDAYS or last not in WEEKDAYS:
            raise fail(
                f"--hours: '{days_text}' is not a day or a range of days; use mon, tue, wed, "
                f"thu, fri, sat, sun, or a range such as mon-fri"
            )
        a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
        if a > b:
            raise fail(f"--hours: '{days_text}' runs backwards; put the earlier day first")
        spans_text = spans_text.strip().lower()
        spans: list[list[str]] = []
        if spans_text != "off":
            for part in spans_text.split(","):
                start, dash, end = part.strip().partition("-")
                if not dash:
                    raise fail(f"--hours: '{part.strip()}' is not a start-end pair; {example}")
                spans.append([start.strip(), end.strip()])
        for day in WEEKDAYS[a : b + 1]:
            out[day] = spans
    return out


def parse_fixed_times(value: str) -> list[str]:
    """`--fixed-times 10:30,15:00`; `none` for no fixed times."""
    text = value.strip().lower()
    if text in ("", "none", "off"):
        return []
    return [t.strip() for t in text.split(",")]


@breaks_app.command("on")
def switch_on(json_out: JsonOpt = False) -> None:
    """Turn move breaks on (every 30 minutes in your working hours, unless you changed it)."""
    _switch(True, json_out)


@breaks_app.command("off")
def switch_off(json_out: JsonOpt = False) -> None:
    """Turn move breaks off; your settings are kept."""
    _switch(False, json_out)


def _switch(on: bool, json_out: bool) -> None:
    from dataclasses import replace

    from psoas.cli.app import _print_json
    from psoas.cli.tracking import open_store

    clock = _clock()
    person = open_store()
    from psoas.web.breaks.services import save_settings

    settings, note = _current(person)
    saved = save_settings(person, replace(settings, enabled=on), clock.now(), "cli")
    _note(note)
    if json_out:
        _print_json(_settings_json(saved))
        return
    from psoas.cli.render import console

    if not on:
        console.print("Move breaks are off. Your settings are kept: 'psoas breaks on' again.")
        return
    days = [d for d, spans in saved.working_hours.items() if spans]
    console.print(
        f"Move breaks are on: a reminder every {saved.interval_min} minutes of sitting, "
        f"in your working hours ({len(days)} days a week, time zone {saved.zone})."
    )
    console.print(
        "Keep 'psoas breaks run' going for desktop reminders, or start it at every login "
        "with 'psoas breaks install'. Change the times with 'psoas breaks settings'."
    )


@breaks_app.command("settings")
def settings_cmd(
    interval: Annotated[
        int | None, typer.Option("--interval", help="Minutes of sitting between reminders, 20-60.")
    ] = None,
    break_length: Annotated[
        int | None, typer.Option("--break-length", help="Minutes a break takes, 1-5.")
    ] = None,
    hours: Annotated[
        list[str] | None,
        typer.Option(
            "--hours",
            help="Working hours of some days, e.g. mon-fri=09:00-12:30,13:30-17:30 or "
            "sat-sun=off (repeat for other days).",
        ),
    ] = None,
    fixed_times: Annotated[
        str | None,
        typer.Option("--fixed-times", help="Reminders at these times too, e.g. 10:30,15:00; none."),
    ] = None,
    snooze_min: Annotated[
        int | None, typer.Option("--snooze-min", help="Minutes a snooze puts a reminder off, 1-30.")
    ] = None,
    snoozes: Annotated[
        int | None, typer.Option("--snoozes", help="Snoozes allowed for one reminder, 0-5.")
    ] = None,
    natural_break: Annotated[
        int | None,
        typer.Option(
            "--natural-break", help="Minutes away from the computer that count as a break, 1-60."
        ),
    ] = None,
    zone: Annotated[
        str | None,
        typer.Option("--zone", help="Time zone of your working hours, e.g. Europe/Berlin."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Show or change when reminders come: interval, break length, hours, snooze, zone."""
    from psoas.cli.app import _print_json, fail
    from psoas.cli.tracking import open_store
    from psoas.web.breaks.codec import FieldError, settings_from_json

    changes: dict[str, Any] = {}
    if interval is not None:
        changes["interval_min"] = interval
    if break_length is not None:
        changes["break_min"] = break_length
    if fixed_times is not None:
        changes["fixed_times"] = parse_fixed_times(fixed_times)
    if snooze_min is not None:
        changes["snooze_min"] = snooze_min
    if snoozes is not None:
        changes["snoozes"] = snoozes
    if natural_break is not None:
        changes["natural_break_min"] = natural_break
    if zone is not None:
        from psoas.breaks_desktop.zone import is_zone

        if zone.strip() and not is_zone(zone.strip()):  # (the store's check misses a long one)
            shown = zone if len(zone) <= 60 else zone[:57] + "..."
            raise fail(f"--zone: '{shown}' is not a time zone name; use one such as Europe/Berlin")
        changes["zone"] = zone
    new_hours = parse_hours(hours) if hours else None
    try:  # every value checked before the store opens: bad input never touches it
        settings_from_json({**changes, **({"working_hours": new_hours} if new_hours else {})})
    except FieldError as exc:
        raise _field_error(exc) from None
    clock = _clock()
    person = open_store()
    settings, note = _current(person)
    if changes or new_hours:
        from psoas.web.breaks.services import save_settings

        if new_hours:
            changes["working_hours"] = {**_settings_json(settings)["working_hours"], **new_hours}
        try:
            settings = save_settings(
                person, settings_from_json(changes, base=settings), clock.now(), "cli"
            )
        except FieldError as exc:
            raise _field_error(exc) from None
        if "zone" in changes:
            note = None
    _note(note)
    if json_out:
        _print_json(_settings_json(settings))
    else:
        _print_settings(settings)


@breaks_app.command("pause")
def pause(
    length: Annotated[str, typer.Argument(metavar="1h|until-tomorrow", help="How long.")],
    json_out: JsonOpt = False,
) -> None:
    """No reminders for an hour, or for the rest of the day."""
    from psoas.cli.app import _print_json, fail

    if length not in PAUSES:
        raise fail(f"1h|until-tomorrow: '{length}' is not allowed; use 1h or until-tomorrow")
    from psoas.cli.tracking import open_store
    from psoas.core.breaks.scheduler import quiet_until

    clock = _clock()
    person = open_store()
    from psoas.web.breaks.services import record

    settings, note = _current(person)
    now = clock.now()
    until = quiet_until(settings, now, length)
    record(person, "quiet", now, until=until, source="cli")
    _note(note)
    local = until.astimezone(_zone(settings))
    if json_out:
        _print_json({"quiet_until": _local_iso(until, settings), "zone": settings.zone})
        return
    from psoas.cli.render import console

    console.print(f"No reminders until {_when(local, now.astimezone(local.tzinfo))}.")


def _zone(settings: Any):
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.zone)


def _when(local: Any, now_local: Any) -> str:
    """A time in plain words: "14:30", "tomorrow 09:00", "Mon 3 Mar 09:00"."""
    from datetime import timedelta

    if local.date() == now_local.date():
        return local.strftime("%H:%M")
    if local.date() == now_local.date() + timedelta(days=1):
        return "tomorrow " + local.strftime("%H:%M")
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b %H:%M')}"


# Desktop service ------------------------------------------------------------------------


@breaks_app.command("install")
def install(json_out: JsonOpt = False) -> None:
    """Start 'psoas breaks run' at every login: writes a systemd user unit (Linux) or a
    LaunchAgent (macOS) and says how to turn it on."""
    _service("install", json_out)


@breaks_app.command("uninstall")
def uninstall(json_out: JsonOpt = False) -> None:
    """Stop starting 'psoas breaks run' at login: stops the service and removes its file."""
    _service("uninstall", json_out)


def _service(which: str, json_out: bool) -> None:
    from psoas.breaks_desktop import service
    from psoas.cli.app import _print_json, fail

    try:
        out = service.install() if which == "install" else service.uninstall()
    except service.ServiceError as exc:
        raise fail(f"{which}: {exc}", 1) from None
    except OSError as exc:
        raise fail(f"{which}: cannot write {exc.filename}: {exc.strerror or exc}", 1) from None
    if json_out:
        _print_json(out.as_json())
        return
    said = {
        "written": f"Wrote {out.path}",
        "rewritten": f"Wrote {out.path} again (it was there already)",
        "removed": f"Removed {out.path}",
        "absent": f"Nothing to remove at {out.path}",
    }[out.action]
    typer.echo(said + ".")
    for note in out.notes:
        typer.echo(note)
    if out.steps:
        typer.echo("To turn it on now:" if which == "install" else "Then:")
        for step in out.steps:
            typer.echo(f"  {step}")


# Status and statistics ------------------------------------------------------------------


def _stored() -> tuple[Any, Any, Any]:
    """The time now, the person and their stored settings."""
    from psoas.cli.tracking import open_store

    clock = _clock()
    person = open_store()
    from psoas.web.breaks.services import load_settings

    return clock.now(), person, load_settings(person)


def _local_iso(t: Any, settings: Any) -> str | None:
    return None if t is None else t.astimezone(_zone(settings)).isoformat(timespec="seconds")


def _day_json(stats: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(stats)


def _idle_words() -> str:
    import asyncio

    from psoas.breaks_desktop.idle import probe

    return asyncio.run(probe())


@breaks_app.command("status")
def status(json_out: JsonOpt = False) -> None:
    """Whether breaks are on, when the next reminder comes and why, and today's counts."""
    from psoas.cli.app import _print_json

    now, person, settings = _stored()
    from psoas.web.breaks.services import status as break_status

    st = break_status(person, now)
    idle = _idle_words()
    if json_out:
        _print_json(
            {
                "enabled": st.enabled,
                "zone": settings.zone,
                "now": _local_iso(now, settings),
                "next": {
                    "at": _local_iso(st.next.at, settings),
                    "reason": st.next.reason,
                    "snoozes_left": st.next.snoozes_left,
                },
                "shown_at": _local_iso(st.shown_at, settings),
                "quiet_until": _local_iso(st.quiet_until, settings),
                "today": _day_json(st.today),
                "idle_time": idle,
            }
        )
        return
    from psoas.cli.render import console

    console.print(f"[bold]Move breaks:[/] {'on' if st.enabled else 'off'}")
    if st.next.at is None:
        console.print(f"Next reminder: none. {st.next.reason}")
    else:
        local = st.next.at.astimezone(_zone(settings))
        when = _when(local, now.astimezone(local.tzinfo))
        console.print(f"Next reminder: {when} ({st.next.reason}).")
    if st.quiet_until is not None:
        local = st.quiet_until.astimezone(_zone(settings))
        console.print(f"Paused until {_when(local, now.astimezone(local.tzinfo))}.")
    console.print(f"Today: {_counts_words(st.today)}")
    console.print(f"idle time: {idle}")


def _counts_words(d: Any) -> str:
    return (
        f"{d.prompted} reminders, {d.taken} breaks taken, {d.natural} natural breaks, "
        f"{d.snoozed} snoozed, {d.skipped} skipped; longest sitting {d.longest_sitting_min} min."
    )


@breaks_app.command("stats")
def stats(json_out: JsonOpt = False) -> None:
    """This week's breaks per day: reminders, taken, natural, snoozed, skipped, and the
    longest time you sat without a break."""
    from psoas.cli.app import _print_json

    now, person, settings = _stored()
    from psoas.web.breaks.services import stats as week_stats
    from psoas.web.breaks.services import today

    days = week_stats(person, today(settings, now), now)
    moved = [d.taken + d.natural for d in days]
    week = {
        "prompted": sum(d.prompted for d in days),
        "taken": sum(d.taken for d in days),
        "natural": sum(d.natural for d in days),
        "snoozed": sum(d.snoozed for d in days),
        "skipped": sum(d.skipped for d in days),
        "longest_sitting_min": max(d.longest_sitting_min for d in days),
    }
    if json_out:
        _print_json({"zone": settings.zone, "days": [_day_json(d) for d in days], "week": week})
        return
    from datetime import date

    from psoas.cli.render import console
    from psoas.cli.tables import RowTable

    dates = [date.fromisoformat(d.day) for d in days]
    console.print(
        f"[bold]Move breaks[/], {dates[0].day} {dates[0]:%b} to {dates[-1].day} "
        f"{dates[-1]:%b %Y} ({settings.zone})"
    )
    table = RowTable("", *(f"{d:%a}" for d in dates))
    rows = (
        ("reminders", "prompted"),
        ("breaks taken", "taken"),
        ("natural breaks", "natural"),
        ("snoozed", "snoozed"),
        ("skipped", "skipped"),
        ("longest sitting, min", "longest_sitting_min"),
    )
    for label, name in rows:
        table.add_row(label, *(str(getattr(d, name)) for d in days))
    table.add_row("[bold]moved[/]", *(f"[bold]{m}[/]" for m in moved))
    console.print(table)
    console.print(
        f"This week: {week['taken'] + week['natural']} breaks ({week['taken']} taken, "
        f"{week['natural']} natural) from {week['prompted']} reminders; the longest "
        f"sitting was {week['longest_sitting_min']} minutes."
    )


# The runner -----------------------------------------------------------------------------


@breaks_app.command("run")
def run() -> None:
    """Keep going and remind you on the desktop, with Take a break, Snooze, Skip and
    I moved. Ctrl+C stops it; 'psoas breaks install' starts it at every login."""
    from psoas.cli.tracking import open_store

    clock = _clock()
    clock.share()  # the runner and the guided breaks it opens run on the same clock
    open_store()  # a store that cannot be used stops here, in one line; migrated if new
    # The runner stays all day: it runs as a process of its own (the same one, on POSIX)
    # that loads the store and the notifier and none of the command line's modules.
    from psoas.breaks_desktop.service import ServiceError, psoas_path

    try:
        psoas = psoas_path()
    except ServiceError:
        psoas = "psoas"
    command = [sys.executable, "-m", "psoas.breaks_desktop.runner", psoas]
    env = dict(os.environ)
    env.pop("TZ", None)  # Django's, in this process; the person's own goes on
    if TZ_AT_START:
        env["TZ"] = TZ_AT_START
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(sys.executable, command, env)
    import subprocess

    raise typer.Exit(subprocess.call(command, env=env))


# The guided break -----------------------------------------------------------------------


WALK_CUE_S = 15.0  # seconds each walking cue stays on screen


def _walk(seconds: int, cues: tuple[str, ...], clock: Any, keys: bool) -> str:
    """A walk, timed in the terminal: a big countdown and a cue at a time. q stops it."""
    from rich.console import Group
    from rich.live import Live
    from rich.panel import Panel
    from rich.text import Text

    from psoas.cli.bigdigits import big, clock_text
    from psoas.cli.render import console
    from psoas.cli.session import FRAME_S, cbreak, read_key

    start = clock()

    def frame(left: float) -> Panel:
        cue = cues[int((seconds - left) // WALK_CUE_S) % len(cues)] if cues else ""
        lines = [
            Text("Walk", style="bold cyan"),
            Text(big(clock_text(left)), style="bold"),
            Text(cue, style="green"),
            Text("[q] stop", style="dim"),
        ]
        return Panel(Group(*lines), title="Move break", border_style="cyan")

    with (
        cbreak(keys),
        Live(frame(seconds), console=console, auto_refresh=False, transient=True) as live,
    ):
        while (left := seconds - (clock() - start)) > 0:
            if read_key(keys, FRAME_S) == "q":
                return "quit"
            live.update(frame(left), refresh=True)
    return "done"


def _exercises(routine: Any, clock: Any, keys: bool, speed: float) -> str:
    """The picked exercises through the session player (timer, cues, sides); nothing is
    saved as a session of the plan."""
    from psoas.cli.session import play_session
    from psoas.core.content.loader import catalog
    from psoas.core.player.machine import Player, away_after, doses_from_plan_session

    names = {e.id: e.name for e in catalog().exercises.values()}
    player = Player(
        doses_from_plan_session(routine.session()),
        clock,
        away_after=away_after(speed) if keys else None,
    )
    return play_session(player, names, keys, lambda events: None)


@breaks_app.command("now")
def now_cmd(
    fast: Annotated[
        float | None,
        typer.Option(help="Run the clock this many times faster (1-1000, for a try-out)."),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Run without keys, for scripts.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """A guided break now: one or two standing exercises from your plan, timed like a
    session, or a short walk. A finished break counts as taken."""
    from psoas.cli.app import _print_json, fail

    if fast is not None and not 1 <= fast <= 1000:
        raise fail(f"--fast: must be from 1 to 1000 times real speed (got {fast:g})")
    clock = _clock()
    speed = fast or clock.speed
    from psoas.cli.tracking import open_store

    person = open_store()
    from psoas.web.breaks.services import load_settings, record, routine_for, status, today

    settings = load_settings(person)
    started = clock.now()
    taken = status(person, started).today.taken  # varies the pick through the day
    routine = routine_for(person, today(settings, started), settings.break_min, taken)
    keys = not no_input and sys.stdin.isatty()
    from psoas.cli.render import console
    from psoas.core.player.clock import SpeedClock, clock_with_sleep

    timer = SpeedClock(speed, clock_with_sleep) if speed != 1 else clock_with_sleep
    if not json_out:
        minutes = max(1, round(routine.seconds / 60))
        console.print(f"[bold]Move break, about {minutes} min.[/] {routine.why}")
    if routine.kind == "walk":
        state = _walk(routine.seconds, routine.cues, timer, keys)
    else:
        state = _exercises(routine, timer, keys, speed)
    counted = state == "done"
    if counted:
        record(person, "taken", clock.now(), source="cli")
    summary = {
        "kind": routine.kind,
        "seconds": routine.seconds,
        "why": routine.why,
        "exercises": [e["id"] for e in routine.exercises],
        "status": state,
        "counted": counted,
    }
    if json_out:
        _print_json(summary)
    elif counted:
        console.print("Well done: that break counts.")
    elif state == "stopped_for_pain":
        console.print(
            "[bold]You stopped for pain.[/] Rest. If it does not settle, or you have "
            "numbness or weakness, see a clinician. The break was not counted."
        )
    else:
        console.print("Break stopped. It was not counted.")
