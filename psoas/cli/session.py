"""`psoas session`: today's session, timed in the terminal with Rich Live.

The player core times everything; this shell draws it, reads keys (p pause, s skip,
x pain, q quit) and saves each exercise the moment it ends, so killing the process loses
at most the exercise in progress. With keys, the player pauses when it finds it did not
run for over two minutes (the laptop slept, the process was stopped) and says "You were
away"; its clock counts the computer's sleep.
"""

from __future__ import annotations

import os
import select
import sys
import termios
import time
import tty
from contextlib import contextmanager
from typing import Any

from rich.console import Group
from rich.live import Live
from rich.padding import Padding
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.prompt import IntPrompt, Prompt
from rich.text import Text

from psoas.cli.app import EXIT_REFER, _print_json, contradiction, fail
from psoas.cli.bigdigits import big, clock_text
from psoas.cli.render import console, render_referral
from psoas.cli.tracking import (
    EFFORTS,
    active_plan_or_fail,
    ask_warning_signs,
    check_score,
    open_store,
    parse_day,
    refer_if_stopped,
    session_for,
)

FRAME_S = 0.1
KIND_WORDS = {
    "get_ready": "Get ready",
    "hold": "Hold",
    "reps": "Reps",
    "switch_side": "Switch sides",
    "rest": "Rest",
}
KEYS = "[p] pause  [s] skip  [x] it hurts: stop  [q] quit"


@contextmanager
def cbreak(enabled: bool):
    """Single keys without Enter, and no echo, while the session runs."""
    if not enabled:
        yield
        return
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


def read_key(enabled: bool, timeout: float) -> str | None:
    if not enabled:
        time.sleep(timeout)
        return None
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    if not ready:
        return None
    ch = os.read(sys.stdin.fileno(), 1)
    return ch.decode(errors="ignore").lower() or None


def frame(view: Any, names: dict[str, str]) -> Panel:
    """One screen of the player: what to do now, a big countdown, and what comes next."""
    step = view.step
    if step is None:
        return Panel(Text("Session over", style="bold"), title="psoas session")
    title = f"{names[step.exercise_id]}  ({view.exercise_number} of {view.exercises})"
    what = KIND_WORDS[step.kind]
    if view.side in ("left", "right"):
        what += f": {view.side} side"
    if step.kind in ("hold", "reps"):
        what += f"   set {view.set_number} of {view.sets}"
    lines: list[Any] = [Text(what, style="bold cyan")]
    lines.append(Text(big(clock_text(view.seconds_left)), style="bold"))
    if step.kind == "reps" and view.rep is not None:
        lines.append(Text(f"Rep {view.rep} of {step.reps}", style="bold"))
    if view.cue:
        lines.append(Text(view.cue, style="green"))
    if view.state.value == "paused":
        away = view.paused_for == "away"
        why = "You were away, so the session paused here." if away else "Paused."
        lines.append(Text(f"{why} Press p to go on.", style="bold yellow"))
    nxt = view.next_step
    if nxt is not None:
        lines.append(Text(f"Next: {names[nxt.exercise_id]} ({KIND_WORDS[nxt.kind].lower()})"))
    bar = ProgressBar(total=1.0, completed=view.session_progress, width=40)
    lines.append(Padding(bar, 0))  # a line of its own: the bar ends with no line break
    lines.append(Text(KEYS, style="dim"))
    return Panel(Group(*lines), title=title, border_style="cyan")


def _rows(result: Any, effort: str, dose_week: int | None) -> list[dict[str, Any]]:
    return [
        {
            "exercise_id": result.exercise_id,
            "dose_week": dose_week,
            "set_number": s.set_number,
            "side": s.side,
            "planned_reps": s.planned_reps,
            "reps_done": s.reps_done,
            "planned_hold_s": None if s.planned_hold_s is None else round(s.planned_hold_s),
            "hold_s_done": s.hold_s_reached,
            "pain_during": s.pain,
            "effort": effort,
            "status": s.status.value,
        }
        for s in result.sets
    ]


def play_session(player: Any, names: dict[str, str], keys: bool, handle: Any) -> str:
    """Run the player to its end, drawing it and reading keys; returns its final state."""
    with (
        cbreak(keys),
        Live(
            frame(player.view(), names), console=console, auto_refresh=False, transient=True
        ) as live,
    ):
        handle(player.start())
        while player.state.value in ("running", "paused"):
            key = read_key(keys, FRAME_S)
            if key == "p":
                handle(player.pause() if player.state.value == "running" else player.resume())
            elif key == "s":
                handle(player.skip())
            elif key == "q":
                handle(player.quit())
            elif key == "x":
                live.stop()
                with cbreak(False):
                    pain = IntPrompt.ask("How bad is the pain, 0 to 10?", console=console)
                handle(player.stop_for_pain(max(0, min(10, pain))))
            handle(player.tick())
            live.update(frame(player.view(), names), refresh=True)
    return player.state.value


def run(
    day_text: str | None,
    fast: float | None,
    interactive: bool,
    no_red_flags: bool,
    pain_before: int | None,
    pain_after: int | None,
    effort: str | None,
    json_out: bool,
    red_flags: list[str] | None = None,
) -> int:
    from psoas.core.content.loader import catalog
    from psoas.core.player.clock import SpeedClock, clock_with_sleep
    from psoas.core.player.machine import Player, away_after, doses_from_plan_session

    contradiction([("--no-red-flags", no_red_flags, "--red-flag", red_flags)])
    flags = list(dict.fromkeys(red_flags or []))
    for fid in flags:
        if fid not in catalog().red_flags:
            raise fail(f"--red-flag: unknown id '{fid}'; see docs/ids.md for the ids")
    day = parse_day(day_text)
    check_score(pain_before, "--pain-before")
    check_score(pain_after, "--pain-after")
    if effort is not None and effort not in EFFORTS:
        raise fail(f"--effort: '{effort}' is not allowed; use one of {', '.join(EFFORTS)}")
    if fast is not None and not 1 <= fast <= 1000:
        raise fail(f"--fast: must be from 1 to 1000 times real speed (got {fast:g})")
    person = open_store()
    from psoas.web.tracking.day import begin_session
    from psoas.web.tracking.models import SessionLog
    from psoas.web.tracking.services import finish_session, record_exercise

    plan = active_plan_or_fail(person)
    refer_if_stopped(plan, json_out)
    info = session_for(person, plan, day, json_out, act=True)
    if info["status"] != "session" and not flags:  # a sign refers on any day
        nxt = f" Your next session is on {info['next_date']}." if info["next_date"] else ""
        console.print(f"No session planned for {day.isoformat()}.{nxt}")
        return 0
    answered = no_red_flags or bool(flags)
    if not answered and not interactive:  # a missing answer is never read as "none"
        raise fail(
            "red flags: not answered; give --no-red-flags, or --red-flag ID for each "
            "warning sign you have"
        )
    if pain_before is None and interactive:
        pain_before = IntPrompt.ask("Pain right now, 0 (none) to 10 (worst)", console=console)
        check_score(pain_before, "pain")
    if not answered:
        console.print("[bold]Before you start, a safety check. It takes one answer.[/]")
        flags = ask_warning_signs(plan)
    started = begin_session(person, plan, day, pain_before=pain_before, red_flags=flags, info=info)
    if started["status"] == "refer":
        render_referral(started["referral"])
        return EXIT_REFER
    # A session of this day left in progress (the player was killed) comes back: the same
    # log and the session as it was started, without the exercises already saved.
    session, log = started["session"], started["log"]
    from psoas.web.programs.blocks import block_of

    block = block_of(plan)
    if not json_out:
        where = f"Block {block['number']}, week" if block["number"] > 1 else "Week"
        console.print(
            f"[bold]{where} {log.week} of {len(plan.data['weeks'])}:[/] "
            f"{session.get('name', 'your session')}."
        )
    names = {e.id: e.name for e in catalog().exercises.values()}
    done_before = set(log.sets.values_list("exercise_id", flat=True))
    remaining = [e for e in session["exercises"] if e["id"] not in done_before]
    if done_before and not json_out:
        console.print(
            f"Carrying on with this session: {len(done_before)} of "
            f"{len(session['exercises'])} exercises were saved before it stopped."
        )
    saved = len(done_before)

    def handle(events: list[Any]) -> None:
        nonlocal saved
        for ev in events:
            if ev.kind == "exercise_finished":
                ex = remaining[ev.result.index]
                rows = _rows(ev.result, effort or "", ex.get("dose_week"))
                record_exercise(log, ex["id"], rows)  # once, even if a resume overlaps
                saved += 1

    state = "done"  # every exercise was saved before the player stopped: only the finish
    if remaining:
        keys = interactive and sys.stdin.isatty()
        player = Player(
            doses_from_plan_session({**session, "exercises": remaining}),
            SpeedClock(fast, clock_with_sleep) if fast else clock_with_sleep,
            # Only a person at the keys can come back and go on; without one, catch up.
            away_after=away_after(fast or 1) if keys else None,
        )
        state = play_session(player, names, keys, handle)
    status = {
        "done": SessionLog.Status.COMPLETED,
        "stopped_for_pain": SessionLog.Status.STOPPED_FOR_PAIN,
        "quit": SessionLog.Status.QUIT,
    }[state]
    if interactive:
        if state == "stopped_for_pain":
            console.print(
                "[bold]You stopped for pain.[/] Rest. If the pain does not settle, "
                "or you have numbness or weakness, see a clinician."
            )
        if pain_after is None:
            pain_after = IntPrompt.ask("Pain now, 0 to 10", console=console)
            check_score(pain_after, "pain")
        if effort is None and state == "done":
            effort = Prompt.ask(
                "How did it feel?", choices=list(EFFORTS), default="about_right", console=console
            )
            log.sets.update(effort=effort)
    finish_session(log, status, pain_after)
    summary = {
        "session_id": log.id,
        "date": day.isoformat(),
        "week": log.week,
        "block": block,
        "status": status.value if hasattr(status, "value") else status,
        "exercises_saved": saved,
        "resumed": bool(done_before),
        "pain_before": pain_before,
        "pain_after": pain_after,
    }
    if json_out:
        _print_json(summary)
    else:
        console.print(f"Session {summary['status'].replace('_', ' ')}: {saved} exercises saved.")
    return 0
