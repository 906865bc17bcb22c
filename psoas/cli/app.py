"""The `psoas` command line: a thin Typer shell over psoas.core.

Only Typer is imported at module level: `psoas --help` must start fast and must not load
content or Django (bench/cli.py measures it). Each command imports what it needs.
Exit codes (PRODUCT.md): 0 success, 2 invalid input with one line on stderr naming the
field, 3 referral.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="psoas",
    help="Screening, self-tests and a 6-week stretching and strengthening program for a "
    "tight or weak psoas (the deep hip flexor).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
EXIT_INVALID, EXIT_REFER = 2, 3


def fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    """Print one line on stderr and return the Exit to raise."""
    sys.stderr.write(f"psoas: {message}\n")
    return typer.Exit(code)


def contradiction(pairs: list[tuple[str, object, str, object]]) -> None:
    """Two flags that cannot both be true fail with exit 2, naming both: a script that says
    `--no-equipment --equipment chair` has a bug that psoas must not guess around."""
    for flag, given, other, other_given in pairs:
        if given and other_given not in (None, False, []):
            raise fail(f"{flag} and {other} contradict each other; give one or the other")


def _print_json(data: object) -> None:
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


PROFILE_MAX_BYTES = 1 << 20  # a profile is a few hundred bytes; more is not a profile
PIPE_WAIT_S = 5.0  # a pipe (`--profile <(...)`, a FIFO) that sends nothing for this long


def read_input(path: Path, field: str, limit: int = PROFILE_MAX_BYTES) -> str:
    """The text of an input file, never hanging and never unbounded: a regular file, or a
    pipe that delivers within PIPE_WAIT_S; a folder, a device or a socket is refused."""
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise fail(f"{field}: file '{path}' does not exist") from None
    except OSError as exc:
        raise fail(f"{field}: cannot read '{path}': {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise fail(f"{field}: '{path}' is a folder; give a file")
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        raise fail(f"{field}: '{path}' is not a file (a device or a socket); give a file")
    try:
        if stat.S_ISFIFO(mode):
            data = _read_pipe(path, field, limit)
        else:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
    except OSError as exc:
        raise fail(f"{field}: cannot read '{path}': {exc.strerror or exc}") from None
    if len(data) > limit:
        raise fail(f"{field}: '{path}' is larger than {limit:,} bytes; it is not a profile")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise fail(f"{field}: cannot read '{path}': it is not UTF-8 text") from None


def _read_pipe(path: Path, field: str, limit: int) -> bytes:
    import os
    import select
    import time

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    deadline, data = time.monotonic() + PIPE_WAIT_S, b""
    try:
        while len(data) <= limit:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise fail(f"{field}: nothing came through '{path}' in {PIPE_WAIT_S:g} s")
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                return data
            data += chunk
        return data
    finally:
        os.close(fd)


def _read_profile(path: Path):
    from psoas.core.profile import ProfileError, load_profile_text

    text = read_input(path, "--profile")
    try:
        return load_profile_text(text)
    except ProfileError as exc:
        raise fail(str(exc)) from None
    except RecursionError:
        raise fail("--profile: the JSON is nested too deeply to be a profile") from None


@app.command()
def plan(
    profile: Annotated[Path, typer.Option("--profile", "-p", help="Profile JSON file.")],
    json_out: JsonOpt = False,
) -> None:
    """Make a 6-week program from a profile (exit 3 with a referral on a red flag)."""
    from psoas.core.planning.planner import build_plan

    result = build_plan(_read_profile(profile))
    if json_out:
        _print_json(result)
    else:
        from psoas.cli.render import render_plan

        render_plan(result)
    if result["status"] == "refer":
        raise typer.Exit(EXIT_REFER)


@app.command()
def exercises(
    kind: Annotated[
        str | None, typer.Option(help="Only this kind: stretch, strength or release.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """List the exercises in the catalog."""
    from psoas.core.content.loader import catalog

    kinds = ("stretch", "strength", "release")
    if kind is not None and kind not in kinds:
        raise fail(f"--kind: '{kind}' is not a kind; allowed: {', '.join(kinds)}")
    items = [e for e in catalog().exercises.values() if kind is None or e.kind == kind]
    if json_out:
        _print_json([e.model_dump(mode="json") for e in items])
    else:
        from psoas.cli.render import render_exercise_list

        render_exercise_list(items)


@app.command()
def exercise(
    exercise_id: Annotated[str, typer.Argument(metavar="ID", help="Exercise id.")],
    json_out: JsonOpt = False,
) -> None:
    """Show how to do one exercise, what it targets, and who should not do it."""
    from psoas.core.content.loader import catalog

    cat = catalog()
    ex = cat.exercises.get(exercise_id)
    if ex is None:
        raise fail(f"ID: unknown exercise '{exercise_id}'; run 'psoas exercises' for the ids")
    if json_out:
        _print_json(ex.model_dump(mode="json"))
    else:
        from psoas.cli.render import render_exercise

        render_exercise(ex, cat)


@app.command()
def learn(
    topic: Annotated[str | None, typer.Argument(help="Topic id; leave out to list topics.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Read about the psoas, self-tests, and which popular claims hold up."""
    from psoas.cli import render
    from psoas.core.content.loader import catalog

    cat = catalog()
    if topic is None:
        listing = [
            {"id": t.id, "title": t.title, "summary": t.summary} for t in cat.topics.values()
        ]
        listing += [
            {"id": s.id, "title": s.name, "summary": s.purpose} for s in cat.self_tests.values()
        ]
        if json_out:
            _print_json(listing)
        else:
            render.render_topic_list(listing)
        return
    item = cat.topics.get(topic) or cat.self_tests.get(topic)
    if item is None:
        allowed = ", ".join([*cat.topics, *cat.self_tests])
        raise fail(f"TOPIC: unknown topic '{topic}'; allowed: {allowed}")
    if json_out:
        _print_json(item.model_dump(mode="json"))
    elif topic in cat.topics:
        render.render_topic(item)
    else:
        render.render_self_test(item)


@app.command()
def schema(
    which: Annotated[str, typer.Argument(metavar="profile|plan|analysis", help="Which contract.")],
) -> None:
    """Print the JSON Schema of the profile, the plan or the camera coach's analysis
    (every id as an enum)."""
    if which == "profile":
        from psoas.core.profile import profile_json_schema

        _print_json(profile_json_schema())
    elif which == "plan":
        from psoas.core.plan import plan_json_schema

        _print_json(plan_json_schema())
    elif which == "analysis":
        from psoas.core.analysis import analysis_json_schema

        _print_json(analysis_json_schema())
    else:
        raise fail(
            f"profile|plan|analysis: '{which}' is not a schema; allowed: profile, plan, analysis"
        )


@app.command()
def screen(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the profile.")] = Path(
        "profile.json"
    ),
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never ask; use the flags only.")
    ] = False,
    age: Annotated[int | None, typer.Option(help="Age in years.")] = None,
    pregnancy_weeks: Annotated[int | None, typer.Option(help="Weeks pregnant.")] = None,
    postpartum_weeks: Annotated[int | None, typer.Option(help="Weeks since giving birth.")] = None,
    not_pregnant: Annotated[
        bool, typer.Option(help="Not pregnant and no birth in the last year.")
    ] = False,
    red_flag: Annotated[
        list[str] | None, typer.Option(help="A red-flag id answered yes (repeat).")
    ] = None,
    no_red_flags: Annotated[
        bool, typer.Option(help="Every red-flag question answered no.")
    ] = False,
    condition: Annotated[list[str] | None, typer.Option(help="A condition id (repeat).")] = None,
    no_conditions: Annotated[bool, typer.Option(help="None of the conditions apply.")] = False,
    limit: Annotated[list[str] | None, typer.Option(help="A limit id (repeat).")] = None,
    no_limits: Annotated[bool, typer.Option(help="No limits.")] = False,
    equipment: Annotated[
        list[str] | None, typer.Option(help="Equipment you have (repeat).")
    ] = None,
    no_equipment: Annotated[bool, typer.Option(help="No equipment at all.")] = False,
    minutes: Annotated[int | None, typer.Option(help="Minutes per session.")] = None,
    sitting_hours: Annotated[float | None, typer.Option(help="Hours sitting per day.")] = None,
    activity: Annotated[list[str] | None, typer.Option(help="An activity you do (repeat).")] = None,
    thomas_left: Annotated[str | None, typer.Option(help="positive, negative or skip.")] = None,
    thomas_right: Annotated[str | None, typer.Option(help="positive, negative or skip.")] = None,
    hold_left: Annotated[float | None, typer.Option(help="Hold test seconds, left.")] = None,
    hold_right: Annotated[float | None, typer.Option(help="Hold test seconds, right.")] = None,
    skip_tests: Annotated[bool, typer.Option(help="Do not do the self-tests now.")] = False,
    pain: Annotated[int | None, typer.Option(help="Pain now, 0 to 10.")] = None,
    balance: Annotated[
        str | None,
        typer.Option(
            help="good: can stand on one leg for 10 seconds and get down to the floor and up "
            "without help; poor: cannot; unknown: not sure."
        ),
    ] = None,
    hip_replacement_weeks: Annotated[
        int | None,
        typer.Option(
            help="Weeks since the hip replacement, 0 to 520; with a hip_replacement_* "
            "condition. Leave out if your surgeon's rules have no end date."
        ),
    ] = None,
) -> None:
    """Answer the safety screen and self-tests; writes a profile file for 'psoas plan'."""
    from psoas.cli.screen import Answers, run_screen

    answers = Answers(
        age=age,
        pregnancy_weeks=pregnancy_weeks,
        postpartum_weeks=postpartum_weeks,
        not_pregnant=not_pregnant,
        red_flags=red_flag,
        no_red_flags=no_red_flags,
        conditions=condition,
        no_conditions=no_conditions,
        limits=limit,
        no_limits=no_limits,
        equipment=equipment,
        no_equipment=no_equipment,
        minutes=minutes,
        sitting_hours=sitting_hours,
        activities=activity,
        thomas_left=thomas_left,
        thomas_right=thomas_right,
        hold_left=hold_left,
        hold_right=hold_right,
        skip_tests=skip_tests,
        pain=pain,
        balance=balance,
        hip_replacement_weeks=hip_replacement_weeks,
    )
    code = run_screen(answers, out, interactive=not no_input)
    raise typer.Exit(code)


@app.callback()
def _root(
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="PSOAS_DATABASE_URL",
            help="Database for your records (default: SQLite in your data folder).",
        ),
    ] = None,
    create: Annotated[
        bool,
        typer.Option(
            "--create",
            help="Make the SQLite file that --database-url names if it does not exist "
            "(otherwise psoas asks, or without a terminal stops).",
        ),
    ] = False,
) -> None:
    """Screening, self-tests and a 6-week program for a tight or weak psoas."""
    import os

    if database_url:
        os.environ["PSOAS_DATABASE_URL"] = database_url
    if create:
        from psoas.web.bootstrap import allow_create

        allow_create()


DateOpt = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD; default today.")]


@app.command()
def init(
    profile: Annotated[
        Path | None, typer.Option("--profile", "-p", help="Use this profile instead of asking.")
    ] = None,
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD; default today.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Answer the screen (or give a profile) and save your profile and 6-week plan."""
    from psoas.cli import tracking

    if start is not None:
        from datetime import date

        from psoas.web.programs.starts import latest_plan_start

        try:
            day = date.fromisoformat(start)
        except ValueError:
            raise fail(f"--start: '{start}' is not a date; use YYYY-MM-DD") from None
        if day > latest_plan_start():
            raise fail(
                f"--start: {start} is more than a year away; give a day up to "
                f"{latest_plan_start().isoformat()}"
            )
    raise typer.Exit(tracking.init(profile, start, json_out))


@app.command()
def today(day: DateOpt = None, json_out: JsonOpt = False) -> None:
    """Show today's session from your saved plan."""
    from psoas.cli import tracking

    tracking.today(day, json_out)


@app.command()
def log(
    day: DateOpt = None,
    exercise: Annotated[
        list[str] | None, typer.Option(help="Only these exercises (repeat); default all.")
    ] = None,
    effort: Annotated[str | None, typer.Option(help="too_easy, about_right or too_hard.")] = None,
    pain_during: Annotated[int | None, typer.Option(help="Pain during, 0 to 10.")] = None,
    pain_before: Annotated[int | None, typer.Option(help="Pain before, 0 to 10.")] = None,
    pain_after: Annotated[int | None, typer.Option(help="Pain after, 0 to 10.")] = None,
    notes: Annotated[str, typer.Option(help="A note to keep with the session.")] = "",
    json_out: JsonOpt = False,
) -> None:
    """Record a session you did away from the app, as planned."""
    from psoas.cli import tracking

    tracking.log(day, exercise, effort, pain_during, pain_before, pain_after, notes, json_out)


@app.command()
def checkin(
    pain: Annotated[int | None, typer.Option(help="Pain now, 0 to 10.")] = None,
    red_flag: Annotated[
        list[str] | None, typer.Option(help="A warning sign answered yes (repeat).")
    ] = None,
    no_red_flags: Annotated[bool, typer.Option(help="No warning signs.")] = False,
    note: Annotated[str, typer.Option(help="A note.")] = "",
    day: DateOpt = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never ask.")] = False,
    psfs: Annotated[
        list[str] | None,
        typer.Option(help="Weekly activity check: ACTIVITY=RATING (0-10), 3 to 5 times."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Record your pain, answer the warning-sign questions and, weekly, the activity check."""
    from psoas.cli import tracking

    raise typer.Exit(
        tracking.checkin(pain, red_flag, no_red_flags, note, day, no_input, json_out, psfs)
    )


@app.command()
def history(
    limit: Annotated[
        int | None, typer.Option(min=1, max=10_000, help="Only the latest N (up to 10,000).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """List the sessions you have done."""
    from psoas.cli import tracking

    tracking.history(limit, json_out)


@app.command()
def progress(json_out: JsonOpt = False) -> None:
    """Charts of your pain, sessions done per week, and holds and reps against plan."""
    from psoas.cli import progress as view

    view.run(json_out)


@app.command()
def session(
    day: DateOpt = None,
    fast: Annotated[
        float | None, typer.Option(help="Run the clock this many times faster (for a try-out).")
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Run without questions or keys, for scripts.")
    ] = False,
    no_red_flags: Annotated[bool, typer.Option(help="No warning signs today.")] = False,
    red_flag: Annotated[
        list[str] | None, typer.Option(help="A warning sign you have today (repeat); refers.")
    ] = None,
    pain_before: Annotated[int | None, typer.Option(help="Pain before, 0 to 10.")] = None,
    pain_after: Annotated[int | None, typer.Option(help="Pain after, 0 to 10.")] = None,
    effort: Annotated[str | None, typer.Option(help="too_easy, about_right or too_hard.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Do today's session, timed: holds, reps, sides, rests. Keys: p, s, x (pain), q."""
    from psoas.cli import session as player

    raise typer.Exit(
        player.run(
            day,
            fast,
            not no_input,
            no_red_flags,
            pain_before,
            pain_after,
            effort,
            json_out,
            red_flags=red_flag,
        )
    )


def _register_more() -> None:
    """Commands kept in their own modules, each adding itself to the app."""
    from psoas.cli import analyze, backup, block, breaks, clinic, exports, report, serve, worker

    analyze.register(app)
    block.register(app)
    breaks.register(app)
    clinic.register(app)
    exports.register(app)
    backup.register(app)
    report.register(app)
    serve.register(app)
    worker.register(app)


_register_more()


def _click_exceptions():
    """Typer 0.29 ships its own copy of Click; earlier releases use Click itself."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - older Typer
        from click import exceptions
    return exceptions


def _store_error(exc: BaseException) -> str | None:
    """A database error as one line naming the store; None for any other exception."""
    db = sys.modules.get("django.db")
    if db is None or not isinstance(exc, db.Error):
        return None
    from psoas.cli.tracking import store_problem

    return store_problem(exc)


def main() -> None:
    errors = _click_exceptions()
    try:
        rv = app(standalone_mode=False, prog_name="psoas")
    except errors.UsageError as exc:
        sys.stderr.write(f"psoas: {exc.format_message()}\n")
        sys.exit(EXIT_INVALID)
    except typer.Abort as exc:
        if isinstance(exc.__cause__, EOFError):  # answers piped in ran out
            sys.stderr.write("psoas: input ended before every question was answered\n")
            sys.exit(EXIT_INVALID)
        sys.stderr.write("psoas: stopped\n")
        sys.exit(130)
    except Exception as exc:  # a damaged or read-only store found mid-command
        problem = _store_error(exc)
        if problem is None:
            raise
        sys.stderr.write(f"psoas: {problem}\n")
        sys.exit(EXIT_INVALID)
    sys.exit(rv if isinstance(rv, int) else 0)
