"""`psoas block`: the end of a block of six weeks, in the terminal.

`psoas block` shows the block in force and whether the re-test is due; `psoas block
retest` asks the two self-tests, the pain score and the activity check, then prints
before and after side by side with the choices; `psoas block next --choice ...` starts
the next block (or records that the person sees a clinician first). The rules are the
core's and the store's (`psoas/web/programs/blocks.py`), the same as the pages'.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

TEST_IDS = {"thomas": "modified_thomas_test", "hold": "hip_flexor_hold_test"}
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
DateOpt = Annotated[str | None, typer.Option("--date", help="The day, YYYY-MM-DD; default today.")]

block_app = typer.Typer(
    help="The end of a block of six weeks: re-test, compare, and choose the next block.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add `psoas block` to the app."""
    app.add_typer(block_app, name="block")


def _store(day_text: str | None) -> tuple[Any, Any, Any]:
    from psoas.cli.tracking import active_plan_or_fail, open_store, parse_day

    day = parse_day(day_text)
    person = open_store()
    return person, active_plan_or_fail(person), day


@block_app.callback(invoke_without_command=True)
def status(ctx: typer.Context, day: DateOpt = None, json_out: JsonOpt = False) -> None:
    """Show the block in force, and whether it is time to re-test."""
    if ctx.invoked_subcommand is not None:
        return
    from psoas.cli.app import _print_json

    person, plan, when = _store(day)
    from psoas.web.programs.blocks import block_status, blocks

    if plan.data["status"] != "ok":
        from psoas.cli.app import EXIT_REFER, fail

        raise fail("your program is stopped: see a clinician first", EXIT_REFER)
    info = {**block_status(plan, when), "history": blocks(person)}
    if json_out:
        _print_json(info)
        return
    _print_status(info)


def _print_status(info: dict[str, Any]) -> None:
    from psoas.cli.render import console
    from psoas.core.planning.blocks import CHOICE_NAMES

    kind = {"first": "", "progress": " (progress)", "maintain": " (maintain)"}[info["kind"]]
    console.print(f"[bold]Block {info['number']}{kind}[/], week {info['week']} of {info['weeks']}.")
    review = info["review"]
    if review and review["choice"] == "see_clinician":
        console.print(
            "You chose to see a clinician. When you are ready, choose your next block: "
            "psoas block next --choice progress (or maintain)."
        )
    elif review and review["choice"] is None:
        _print_review(review)
    elif info["review_due"]:
        console.print(
            "Your six weeks are done. Re-test to see what changed: psoas block retest. "
            "Then choose your next block."
        )
    done = [b for b in info["history"] if b["review"] and b["review"]["choice"]]
    for b in done:
        console.print(
            f"Block {b['number']} from {b['start_date']}: {b['review']['summary']} "
            f"You chose: {CHOICE_NAMES[b['review']['choice']].lower()}."
        )


def _print_review(review: dict[str, Any]) -> None:
    from psoas.cli.render import console
    from psoas.cli.tables import RowTable, bullets
    from psoas.core.planning.blocks import CHOICE_NAMES, VERDICT_NAMES

    table = RowTable("Measure", "Start", "Now", "Change", wrap=0, title="Before and after")
    for r in review["rows"]:
        before = (
            "-" if r["before"] is None else f"{r['before']:g}" if _num(r["before"]) else r["before"]
        )
        after = "-" if r["after"] is None else f"{r['after']:g}" if _num(r["after"]) else r["after"]
        note = r["note"] if r["verdict"] != "unknown" else None
        table.add_row(r["label"], before, after, VERDICT_NAMES[r["verdict"]].lower(), note=note)
    console.print(table)
    console.print(review["summary"])
    console.print("[bold]Your choices[/]")
    lines = []
    for o in review["options"]:
        mark = " (suggested)" if o["recommended"] else ""
        shut = "" if o["available"] else " (not open now)"
        lines.append(f"{o['choice']}: {CHOICE_NAMES[o['choice']]}{mark}{shut}. {o['why']}")
    console.print(bullets(lines))
    console.print(
        "Choose with: psoas block next --choice progress|maintain|see_clinician [--start DATE]"
    )


def _num(v: Any) -> bool:
    return isinstance(v, int | float)


@block_app.command()
def retest(
    thomas_left: Annotated[
        str | None, typer.Option(help="Thomas test, left side: negative or positive.")
    ] = None,
    thomas_right: Annotated[
        str | None, typer.Option(help="Thomas test, right side: negative or positive.")
    ] = None,
    hold_left: Annotated[
        float | None, typer.Option(help="Knee-lift hold, left side, in seconds (0 to 300).")
    ] = None,
    hold_right: Annotated[
        float | None, typer.Option(help="Knee-lift hold, right side, in seconds (0 to 300).")
    ] = None,
    pain: Annotated[int | None, typer.Option(help="Pain now, 0 to 10.")] = None,
    psfs: Annotated[
        list[str] | None,
        typer.Option(help="An activity and how well you can do it, 'walking=6' (3 to 5)."),
    ] = None,
    day: DateOpt = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Ask nothing; what is not given is left out.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Do the self-tests again and give your pain and activity scores: see what changed."""
    from psoas.cli.app import _print_json, fail
    from psoas.cli.tracking import check_score, parse_psfs
    from psoas.core.planning.blocks import Measures

    given = {"left": thomas_left, "right": thomas_right}
    for side, value in given.items():
        if value is not None and value not in ("negative", "positive"):
            raise fail(f"--thomas-{side}: '{value}' must be negative or positive")
    for side, value in {"left": hold_left, "right": hold_right}.items():
        if value is not None and not 0 <= value <= 300:
            raise fail(f"--hold-{side}: {value:g} must be from 0 to 300 seconds")
    check_score(pain, "--pain")
    answers = parse_psfs(psfs) if psfs else None
    person, plan, when = _store(day)
    from psoas.web.programs.blocks import review_dict, review_due, save_review, skipped_tests

    if plan.data["status"] != "ok":
        raise fail("your program is stopped: see a clinician first", 3)
    if not review_due(plan, when):
        raise fail(
            "the re-test comes at the end of a block, from the day of its last session; "
            "see psoas block"
        )
    skip = skipped_tests(plan, when)
    thomas = dict(given)
    holds = {"left": hold_left, "right": hold_right}
    for flag, test, values in (("thomas", "thomas", thomas), ("hold", "hold", holds)):
        if TEST_IDS[test] in skip and any(v is not None for v in values.values()):
            raise fail(f"--{flag}-left/right: this test is not safe for you now; leave it out")
    if not no_input:
        thomas, holds, pain, answers = _ask(plan, skip, thomas, holds, pain, answers)
    after = Measures(thomas, holds, pain, None)
    try:
        saved = save_review(person, plan, when, after, answers)
    except ValueError as exc:
        raise fail(f"--psfs: {exc}") from None
    if json_out:
        _print_json(review_dict(saved))
    else:
        _print_review(review_dict(saved))


def _ask(plan: Any, skip: frozenset, thomas: dict, holds: dict, pain: Any, answers: Any) -> tuple:
    """Ask in the terminal for each answer not given as an option."""
    from rich.prompt import FloatPrompt, IntPrompt, Prompt

    from psoas.cli.render import console
    from psoas.cli.tracking import ask_psfs
    from psoas.web.outcomes.services import last_psfs

    if TEST_IDS["thomas"] not in skip:
        console.print(
            "[bold]Thomas test.[/] Lie at the edge of a bed, hug one knee and let the other "
            "leg hang. Does the thigh of the hanging leg stay above level? See: psoas learn "
            "modified_thomas_test"
        )
        for side in ("left", "right"):
            if thomas[side] is None:
                above = Prompt.ask(
                    f"{side.capitalize()} thigh stays above level?",
                    choices=["yes", "no", "skip"],
                    console=console,
                )
                thomas[side] = {"yes": "positive", "no": "negative"}.get(above)
    if TEST_IDS["hold"] not in skip:
        console.print(
            "[bold]Knee-lift hold.[/] Stand tall, lift one knee above hip height and time how "
            "long you hold it there, up to 30 s. See: psoas learn hip_flexor_hold_test"
        )
        for side in ("left", "right"):
            while holds[side] is None:
                seconds = FloatPrompt.ask(f"{side.capitalize()} side, seconds", console=console)
                if 0 <= seconds <= 300:
                    holds[side] = seconds
    while pain is None or not 0 <= pain <= 10:
        pain = IntPrompt.ask("Pain right now, 0 (none) to 10 (worst)", console=console)
    person = plan.person
    if answers is None:
        answers = ask_psfs(last_psfs(person))
    return thomas, holds, pain, answers


@block_app.command("next")
def next_(
    choice: Annotated[str, typer.Option("--choice", help="progress, maintain or see_clinician.")],
    start: Annotated[
        str | None, typer.Option("--start", help="First day of the new block; default today.")
    ] = None,
    keep: Annotated[
        list[str] | None,
        typer.Option(help="maintain: an exercise id to keep (repeat); default those that helped."),
    ] = None,
    day: DateOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Choose your next block after the re-test: progress, maintain or see a clinician."""
    from psoas.cli.app import _print_json, fail
    from psoas.cli.render import console
    from psoas.core.planning.blocks import CHOICE_NAMES, BlockError

    first = None
    if start is not None:
        try:
            first = date.fromisoformat(start)
        except ValueError:
            raise fail(f"--start: '{start}' is not a date; use YYYY-MM-DD") from None
    person, plan, when = _store(day)
    from psoas.web.programs.blocks import block_of, choose, latest_review

    saved = latest_review(plan) if plan.data["status"] == "ok" else None
    if saved is None:
        raise fail("choice: re-test first (psoas block retest), then choose")
    try:
        new = choose(person, saved, choice, first, when, keep)
    except BlockError as exc:
        flag = {"choice": "--choice", "start": "--start", "keep": "--keep"}.get(exc.field)
        raise fail(f"{flag or exc.field}: {exc}") from None
    if json_out:
        _print_json(
            {
                "choice": choice,
                "plan_id": None if new is None else new.id,
                "block": None if new is None else block_of(new),
                "start_date": None if new is None else new.start_date.isoformat(),
            }
        )
    elif new is None:
        console.print(
            "Saved. Take your report to the clinician (psoas report). When you are ready, "
            "choose your next block here."
        )
    else:
        b = block_of(new)
        console.print(
            f"Block {b['number']} ({CHOICE_NAMES[b['kind']].lower()}) starts on "
            f"{new.start_date.isoformat()}: {new.data['frequency']['days_per_week']} days a "
            "week. See it with: psoas today"
        )
