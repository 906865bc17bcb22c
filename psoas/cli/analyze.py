"""`psoas analyze VIDEO --exercise ID`: reps, holds and form faults in a recorded clip.

The clip is decoded and the pose model finds the person in each frame (psoas/coach, the
optional coach extra); the core's coach (psoas.core.coach) turns the landmark frames into
the `psoas.analysis/1` report, with the same rules the browser's live coach uses. Frames
stream through one at a time, so a long clip needs no more memory than a short one. Only
Typer is imported when the command is registered, so `psoas --help` stays fast, and psoas
works without the extra: this command then says how to install it and exits 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

SIDES = ("left", "right")
VIEW_WORDS = {"side": "side-on", "front": "from the front", "unknown": "not clear"}


def register(app: typer.Typer) -> None:
    """Add `psoas analyze` to the app."""
    app.command("analyze")(analyze)


def analyze(
    video: Annotated[
        Path,
        typer.Argument(
            metavar="VIDEO", help="A video (.mp4, .mov, .webm, ...) or a picture (.jpg, .png)."
        ),
    ],
    exercise: Annotated[
        str, typer.Option("--exercise", "-e", help="The exercise's id ('psoas exercises').")
    ],
    side: Annotated[
        str, typer.Option(help="The side you work, left or right (for one side at a time).")
    ] = "right",
    crop: Annotated[
        str | None,
        typer.Option(
            metavar="X,Y,W,H",
            help="Only this rectangle of the picture, in pixels from the top left corner: "
            "to keep one person in view.",
        ),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the psoas.analysis/1 JSON instead of tables.")
    ] = False,
) -> None:
    """Count the reps, time the holds and find form faults in a clip of one exercise,
    offline (the video stays on this computer)."""
    from psoas.cli.app import _print_json, fail
    from psoas.coach import CoachUnavailable
    from psoas.coach.video import Crop, VideoError

    if side not in SIDES:
        raise fail(f"--side: {side!r} is not a side; allowed: {', '.join(SIDES)}")
    try:
        area = Crop.parse(crop) if crop is not None else None
    except VideoError as exc:
        raise fail(str(exc)) from None
    ex = _coached_exercise(exercise, side)
    try:
        report = run(video, ex, side, area)
    except (VideoError, CoachUnavailable) as exc:
        raise fail(str(exc)) from None
    if json_out:
        _print_json(report)
    else:
        from psoas.cli.render import console

        console.print(render(report, ex))


def _coached_exercise(exercise_id: str, side: str) -> Any:
    """The catalog's exercise, or exit 2 naming --exercise: an unknown id, or an exercise
    the camera cannot coach, with the exercise's own reason."""
    from psoas.cli.app import fail
    from psoas.core.coach import Coach, NotCoachable
    from psoas.core.content.loader import catalog

    ex = catalog().exercises.get(exercise_id)
    if ex is None:
        raise fail(
            f"--exercise: unknown exercise {exercise_id!r}; run 'psoas exercises' for the ids"
        )
    try:
        Coach(ex, side)
    except NotCoachable as exc:
        raise fail(f"--exercise: {exc}") from None
    return ex


def run(video: Path, exercise: Any, side: str, crop: Any) -> dict[str, Any]:
    """Decode, find the pose in each frame, and analyse: the psoas.analysis/1 report."""
    from psoas.coach.clip import analyze_clip

    return analyze_clip(video, exercise, side, crop, progress=_progress)


def _progress(frames: Iterable[Any], total: int | None) -> Iterator[Any]:
    """The frames, with a progress bar on stderr when stderr is a terminal (a minute of
    video takes about a minute on a small laptop); nothing in a pipe or a script."""
    import sys

    if not sys.stderr.isatty():
        yield from frames
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("Reading the clip"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("frames", total=total)
        for frame in frames:
            yield frame
            bar.advance(task)


def _s(seconds: float) -> str:
    return f"{seconds:.1f} s"


def render(report: dict[str, Any], exercise: Any) -> Any:
    """The report as the terminal shows it, readable from 60 columns up: what the camera
    saw, the reps (or the holds), the faults with their times, then the warnings."""
    from rich.console import Group
    from rich.markup import escape
    from rich.text import Text

    from psoas.cli.tables import bullets, spaced

    holds = exercise.coach.mode == "hold"
    parts: list[Any] = [
        Text.from_markup(f"[bold]{escape(exercise.name)}[/], {report['side']} side"),
        Text(_seen(report)),
    ]
    if report["frames"] > 1:  # a still picture has no reps or holds to show
        parts.append(_holds(report["holds"]) if holds else _reps(report["rep_details"]))
    parts.append(_faults(report["faults"], "Hold" if holds else "Rep"))
    if report["warnings"]:
        warnings = bullets(Text(w) for w in report["warnings"])
        parts.append(Group(Text("Warnings", style="bold"), warnings))
    return spaced(parts)


def _reps(reps: list[dict[str, Any]]) -> Any:
    from psoas.cli.tables import RowTable

    table = RowTable("Rep", "From", "To", "Range", "Tempo", title=_count(len(reps), "rep"))
    for i, r in enumerate(reps, 1):
        rom = f"{r['rom_deg']:.0f}°"
        table.add_row(str(i), _s(r["start_s"]), _s(r["end_s"]), rom, _s(r["tempo_s"]))
    return _table_or_title(table)


def _holds(holds: list[dict[str, Any]]) -> Any:
    from psoas.cli.tables import RowTable

    table = RowTable("Hold", "From", "To", "Seconds", title=_count(len(holds), "hold"))
    for i, h in enumerate(holds, 1):
        table.add_row(str(i), _s(h["start_s"]), _s(h["end_s"]), _s(h["seconds"]))
    return _table_or_title(table)


def _faults(faults: list[dict[str, Any]], unit: str) -> Any:
    from rich.markup import escape
    from rich.text import Text

    from psoas.cli.tables import RowTable

    if not faults:
        return Text("No form faults seen.")
    table = RowTable("Time", unit, "Fault", wrap=2, title="Faults")
    for f in faults:
        table.add_row(_s(f["t_s"]), str(f["rep"]), escape(f["message"]))
    return table


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _table_or_title(table: Any) -> Any:
    """A table with rows, or only its title in bold ("0 reps") when it has none."""
    from rich.text import Text

    return table if table.rows else Text(table.title, style="bold")


def _seen(report: dict[str, Any]) -> str:
    """What the camera could see, in one or two sentences."""
    frames, fps, people = report["frames"], report["fps"], report["person_frames"]
    if frames == 1:
        found = "a person" if people else "no one"
        return f"One picture: the camera found {found}. Reps and holds need a video."
    length = f" ({frames / fps:.1f} s at {fps:g} frames a second)" if fps else ""
    return (
        f"{frames} frames{length}. A person in {people} of them. "
        f"View: {VIEW_WORDS[report['view']]}."
    )
