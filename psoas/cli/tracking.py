"""The tracking commands: init, today, log, checkin, history. Thin: the store's services
and the core's rules do the work; this module parses, checks and prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from psoas.cli.app import EXIT_REFER, _print_json, _read_profile, contradiction, fail
from psoas.cli.render import console, render_referral, session_table
from psoas.cli.tables import bullets

EFFORTS = ("too_easy", "about_right", "too_hard")


def open_store():
    """Start the store (migrating on first use) and return the local person. A store that
    cannot be used (a bad URL, a missing file, a folder, a server that is down, a damaged
    or unwritable file) is one line naming it and exit 2."""
    import sys

    from django.core.exceptions import ImproperlyConfigured
    from django.db import Error as DatabaseError

    from psoas.web.bootstrap import StoreMissing, allow_create, setup

    try:
        try:
            setup()
        except StoreMissing as exc:
            if not sys.stdin.isatty() or not _ask_to_create(exc.path):
                raise
            allow_create()
            setup()
        from psoas.web.programs.services import local_person

        return local_person()
    except (ValueError, ImproperlyConfigured) as exc:  # a bad database URL
        raise fail(f"--database-url: {exc}") from None
    except (DatabaseError, OSError) as exc:
        raise fail(store_problem(exc)) from None


def _ask_to_create(path: Path) -> bool:
    from rich.prompt import Confirm

    return Confirm.ask(
        f"{path} does not exist. Make a new, empty store there?", default=False, console=console
    )


def store_problem(exc: BaseException) -> str:
    """A database or file error as one line that names the store and what to do."""
    import os

    text = (str(getattr(exc, "strerror", None) or exc).strip().splitlines() or [""])[0]
    where = "--database-url" if os.environ.get("PSOAS_DATABASE_URL") else "store"
    try:
        from django.db import connection

        if connection.vendor == "sqlite":
            where += f" '{connection.settings_dict['NAME']}'"
    except Exception:  # settings that did not load: the option alone names it
        pass
    low = text.lower()
    if "malformed" in low or "not a database" in low:
        text += "; the file is damaged or not a psoas store: restore a backup (psoas restore FILE)"
    elif "readonly" in low or "read-only" in low or "permission denied" in low:
        text += "; psoas cannot write there: check the permissions of the file and its folder"
    return f"{where}: {text}"


def parse_day(value: str | None, field: str = "--date") -> date:
    today = date.today()
    if value is None:
        return today
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise fail(f"{field}: '{value}' is not a date; use YYYY-MM-DD") from None
    if day > today:
        raise fail(f"{field}: {value} is in the future; give today or an earlier day")
    return day


def check_score(value: int | None, field: str) -> int | None:
    if value is not None and not 0 <= value <= 10:
        raise fail(f"{field}: must be a whole number from 0 to 10 (got {value})")
    return value


def active_plan_or_fail(person):
    from psoas.web.programs.services import active_plan

    plan = active_plan(person)
    if plan is None:
        raise fail("no plan yet: run 'psoas init' first")
    return plan


def refer_if_stopped(plan, json_out: bool) -> None:
    """A plan that refers (a red flag) has no sessions: say so and exit 3."""
    if plan.data["status"] == "refer":
        if json_out:
            _print_json({"status": "refer", "referral": plan.data["referral"]})
        else:
            render_referral(plan.data["referral"])
        raise SystemExit(EXIT_REFER)


def ask_warning_signs(plan: Any) -> list[str]:
    """The one-screen safety check before every session and check-in: the warning signs
    that apply (emergency signs, and in pregnancy, after a birth or after surgery the signs
    of those) listed, then one answer that must be typed, "none" or "yes". There is no
    default: an empty or other answer asks again. Only a yes asks which (by number); each
    one refers at its own level."""
    from rich.prompt import Prompt

    from psoas.web.tracking.warning_signs import every_session_questions, sign_text

    signs = every_session_questions(plan)
    console.print("[bold]Warning signs.[/] Read each one. If you have any, do not exercise.")
    console.print(Padding(bullets((sign_text(f) for f in signs), numbered=True), (0, 0, 0, 2)))
    answer = Prompt.ask(
        "Do you have any of these signs now? Type none or yes",
        choices=["none", "yes"],
        console=console,
    )
    if answer == "none":
        return []
    while True:
        typed = Prompt.ask(
            f"Which ones? Type their numbers, like 1 3 (1 to {len(signs)})", console=console
        )
        picked = _numbers(typed, len(signs))
        if picked:
            return [signs[n - 1].id for n in picked]
        console.print(f"[red]Type one or more numbers from 1 to {len(signs)}.[/]")


def _numbers(typed: str, most: int) -> list[int]:
    """The numbers typed (spaces or commas between), or [] if any is not from 1 to most."""
    parts = typed.replace(",", " ").split()
    if not parts or not all(p.isdigit() and 1 <= int(p) <= most for p in parts):
        return []
    return list(dict.fromkeys(int(p) for p in parts))


def session_for(
    person: Any, plan: Any, day: date, json_out: bool, *, act: bool = False
) -> dict[str, Any]:
    """The day's session after autoregulation; a stop (a red flag) refers and exits 3.
    `act`: the person is acting (a session, a log), so a stop is saved; a read saves
    nothing."""
    from psoas.web.tracking.day import day_session

    info = day_session(person, plan, day, act=act)
    if info["status"] == "refer":
        referral = info["referral"]
        if json_out:
            _print_json({"status": "refer", "referral": referral})
        else:
            render_referral(referral)
        raise SystemExit(EXIT_REFER)
    return info


def init(profile_path: Path | None, start: str | None, json_out: bool) -> int:
    from psoas.core.planning.planner import build_plan

    if profile_path is not None:
        profile = _read_profile(profile_path)
    else:
        from psoas.cli.screen import Answers, collect_profile

        profile = collect_profile(Answers(), interactive=True)
    start_day = date.fromisoformat(start) if start else date.today()
    plan = build_plan(profile)
    person = open_store()
    from django.db import transaction

    from psoas.web.programs.services import save_plan, save_profile

    with transaction.atomic():  # the profile and its plan, together or not at all
        version = save_profile(
            person, profile.model_dump(mode="json", by_alias=True, exclude_none=True)
        )
        saved = save_plan(person, version, plan, start_day)
    if json_out:
        _print_json({"profile_version": version.version, "plan_id": saved.id, "plan": plan})
    elif plan["status"] == "refer":
        render_referral(plan["referral"])
    else:
        console.print(
            f"Saved profile version {version.version} and your 6-week plan, starting "
            f"{start_day.isoformat()}: {plan['frequency']['days_per_week']} days a week.\n"
            "Next: [bold]psoas today[/] to see today's session, [bold]psoas session[/] to do it."
        )
    return EXIT_REFER if plan["status"] == "refer" else 0


def today(day_text: str | None, json_out: bool) -> None:
    day = parse_day(day_text)
    person = open_store()
    plan = active_plan_or_fail(person)
    refer_if_stopped(plan, json_out)
    info = session_for(person, plan, day, json_out)
    from psoas.web.programs.blocks import block_of, review_due

    block, due = block_of(plan), review_due(plan, day)
    if json_out:
        _print_json({**info, "block": block, "review_due": due})
        return
    status = info["status"]
    retest = (
        "Your six weeks are done. Re-test and choose your next block: psoas block retest."
        if due
        else ""
    )
    if status != "session":
        words = {
            "rest_day": "Rest day today.",
            "not_started": f"Your plan starts on {info['plan_start']}.",
            "plan_finished": retest or "Your six weeks are done. See: psoas block",
        }[status]
        nxt = f" Next session: {info['next_date']}." if info["next_date"] else ""
        console.print(words + nxt)
        if retest and status != "plan_finished":
            console.print(retest)
        return
    s = info["session"]
    label = f"Block {block['number']}, week" if block["number"] > 1 else "Week"
    title = f"{label} {info['week']}: {s['name']}, about {s['estimated_minutes']:g} min"
    console.print(session_table(title, s["exercises"]))
    for msg in info["messages"]:
        console.print(Text(msg, style="yellow"))
    notes = [*info["changes"], *info["dropped"]]
    if notes:
        console.print(bullets(f"{n['id']}\n[yellow]{escape(n['reason'])}[/]" for n in notes))
    console.print("\nStart it with [bold]psoas session[/].")
    if retest:
        console.print(
            "This is the last session of the block. After it, re-test and choose your "
            "next block: psoas block retest."
        )


def log(
    day_text: str | None,
    exercises: list[str] | None,
    effort: str | None,
    pain_during: int | None,
    pain_before: int | None,
    pain_after: int | None,
    notes: str,
    json_out: bool,
) -> None:
    from psoas.core.content.loader import catalog

    day = parse_day(day_text)
    for field, value in (
        ("--pain-during", pain_during),
        ("--pain-before", pain_before),
        ("--pain-after", pain_after),
    ):
        check_score(value, field)
    if effort is not None and effort not in EFFORTS:
        raise fail(f"--effort: '{effort}' is not allowed; use one of {', '.join(EFFORTS)}")
    known = catalog().exercises
    for ex_id in exercises or []:
        if ex_id not in known:
            raise fail(f"--exercise: unknown exercise '{ex_id}'; run 'psoas exercises' for ids")
    person = open_store()
    plan = active_plan_or_fail(person)
    refer_if_stopped(plan, json_out)
    from psoas.web.tracking.day import log_day
    from psoas.web.tracking.queries import NotInWeek

    info = session_for(person, plan, day, json_out, act=True)
    if info["status"] == "not_started":
        raise fail(f"--date: {day.isoformat()} is before your plan starts ({info['plan_start']})")
    try:
        saved, week, sets = log_day(
            person,
            plan,
            day,
            info,
            exercises=exercises,
            effort=effort,
            pain_during=pain_during,
            pain_before=pain_before,
            pain_after=pain_after,
            notes=notes,
        )
    except NotInWeek as exc:
        raise fail(f"--exercise: {exc}") from None
    if json_out:
        _print_json({"session_id": saved.id, "date": day.isoformat(), "sets": sets})
    else:
        console.print(f"Logged {sets} sets for {day.isoformat()} (week {week}).")


def checkin(
    pain: int | None,
    red_flags: list[str] | None,
    no_red_flags: bool,
    note: str,
    day_text: str | None,
    no_input: bool,
    json_out: bool,
    psfs: list[str] | None = None,
) -> int:
    from rich.prompt import IntPrompt

    from psoas.core.content.loader import catalog

    contradiction([("--no-red-flags", no_red_flags, "--red-flag", red_flags)])
    cat = catalog()
    day = parse_day(day_text)
    check_score(pain, "--pain")
    psfs_answers = parse_psfs(psfs) if psfs else None
    flags = list(dict.fromkeys(red_flags or []))
    for fid in flags:
        if fid not in cat.red_flags:
            raise fail(f"--red-flag: unknown id '{fid}'; see docs/ids.md for the ids")
    person = open_store()
    plan = active_plan_or_fail(person)
    if pain is None:
        if no_input:
            raise fail("--pain: required with --no-input; give a number from 0 to 10")
        pain = IntPrompt.ask("Pain right now, 0 (none) to 10 (worst)", console=console)
        check_score(pain, "pain")
    if not flags and not no_red_flags:
        if no_input:
            raise fail(
                "red flags: not answered; give --red-flag ID for each yes, or --no-red-flags"
            )
        flags = ask_warning_signs(plan)
    from django.db import transaction

    from psoas.web.outcomes.services import add_checkin, last_psfs, psfs_due

    if psfs_answers is None and not flags and not no_input and psfs_due(person, day):
        psfs_answers = ask_psfs(last_psfs(person))
    with transaction.atomic():  # the check-in and its activity check, together or not at all
        saved = add_checkin(person, day, pain, flags, note)
        psfs_message = save_psfs(person, day, psfs_answers) if psfs_answers else None
    referral = None
    if flags:
        from psoas.web.programs.services import stop_for_referral

        referral = stop_for_referral(person, plan, flags)
    if json_out:
        _print_json(
            {
                "checkin_id": saved.id,
                "date": day.isoformat(),
                "nprs": pain,
                "red_flags": flags,
                "referral": referral,
                "psfs": psfs_message,
            }
        )
    elif referral:
        render_referral(referral)
    else:
        console.print(f"Saved: pain {pain} of 10 on {day.isoformat()}.")
        if psfs_message:
            console.print(psfs_message)
    return EXIT_REFER if referral else 0


def parse_psfs(entries: list[str]) -> dict[str, Any]:
    """`--psfs "walking=4"` entries to PSFS answers (3 to 5 activities, each 0 to 10)."""
    if not 3 <= len(entries) <= 5:
        raise fail(f"--psfs: give 3 to 5 activities, like --psfs 'walking=4' (got {len(entries)})")
    answers: dict[str, Any] = {}
    for n, entry in enumerate(entries, 1):
        name, sep, rating = entry.rpartition("=")
        if not sep or not name.strip() or "\x00" in name or not rating.strip().isdigit():
            raise fail(f"--psfs: '{entry}' must be ACTIVITY=RATING, with a rating from 0 to 10")
        check_score(int(rating), "--psfs rating")
        answers[f"activity_{n}_name"] = name.strip()[:80]
        answers[f"activity_{n}"] = int(rating)
    return answers


def ask_psfs(previous: dict[str, Any] | None) -> dict[str, Any]:
    """Ask the PSFS: the activities once, then the same ones again each week."""
    from rich.prompt import IntPrompt, Prompt

    console.print(
        "[bold]Weekly activity check.[/] Rate how well you can do each thing today, from 0 "
        "(I can't do it at all) to 10 (as well as before my problem)."
    )
    names = [
        previous[f"activity_{n}_name"]
        for n in range(1, 6)
        if previous and previous.get(f"activity_{n}_name")
    ]
    if not names:
        while len(names) < 5:
            need = len(names) < 3
            hint = "" if need else " (or press Enter to stop)"
            name = Prompt.ask(
                f"Name a thing you find hard to do{hint}",
                default="",
                show_default=False,
                console=console,
            ).strip()
            if "\x00" in name:  # PostgreSQL cannot store it
                console.print("[red]Please type the name again, without control characters[/]")
                continue
            if not name:
                if need:
                    continue
                break
            names.append(name[:80])
    answers: dict[str, Any] = {}
    for n, name in enumerate(names, 1):
        answers[f"activity_{n}_name"] = name
        while True:
            rating = IntPrompt.ask(f"{name}: 0 to 10", console=console)
            if 0 <= rating <= 10:
                break
        answers[f"activity_{n}"] = rating
    return answers


def save_psfs(person: Any, day: date, answers: dict[str, Any]) -> str:
    from psoas.web.outcomes.services import save_psfs as save

    try:
        return save(person, day, answers)
    except ValueError as exc:
        raise fail(f"--psfs: {exc}") from None


def _camera_words(runs: list[dict]) -> str:
    """What the browser's camera coach counted in a session, if it was on."""
    from psoas.core.content.loader import catalog

    parts = []
    for r in runs:
        if catalog().exercises[r["exercise_id"]].coach.mode == "hold":
            what = f"{r['hold_s']:g} s held"
        else:
            what = f"{r['reps']} rep{'' if r['reps'] == 1 else 's'}"
        parts.append(f"{r['exercise_id']} ({r['side']}) {what}")
    return f"; the camera counted {', '.join(parts)}" if parts else ""


def history(limit: int | None, json_out: bool) -> None:
    person = open_store()
    from psoas.web.tracking.queries import history as read_history

    rows = read_history(person, limit)
    if json_out:
        _print_json(rows)
        return
    if not rows:
        console.print("No sessions yet.")
        return
    from psoas.cli.tables import RowTable

    table = RowTable(
        "date", "week", "status", "how", "pain\nbefore", "pain\nafter", title="Your sessions"
    )
    for r in rows:
        exercises = sorted({s["exercise_id"] for s in r["sets"]})
        table.add_row(
            r["date"],
            str(r["week"]),
            r["status"].replace("_", " "),
            r["source"],
            "-" if r["pain_before"] is None else str(r["pain_before"]),
            "-" if r["pain_after"] is None else str(r["pain_after"]),
            note=(", ".join(exercises) or "no exercises saved") + _camera_words(r["coach"]),
        )
    console.print(table)
