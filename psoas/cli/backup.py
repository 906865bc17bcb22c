"""`psoas backup`, `psoas restore` and `psoas delete --all`: the CLI over psoas.web.backup.

Every check and all the work live in psoas.web.backup (the web settings page will call the
same functions); this module asks for confirmation and prints. It imports nothing from
psoas.cli.app at import time, so app.py may call `register` wherever it likes, and the
heavy imports wait inside the commands so `psoas --help` stays fast.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first (for scripts).")]


def register(app: typer.Typer) -> None:
    """Add `backup`, `restore` and `delete` to the `psoas` app."""
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("delete")(delete)


def backup(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Where to write it; replaces that file.")
    ],
    json_out: JsonOpt = False,
) -> None:
    """Copy all your records to FILE, safely, even while psoas is in use."""
    from psoas.web import backup as store

    _start(migrate=True)
    with _refusals():
        summary = store.take(file)
    heading = f"Backup written to {file} ({summary['bytes']:,} bytes):"
    _show(summary, summary["records"], json_out, heading)


def restore(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file made by 'psoas backup'.")],
    yes: YesOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Replace all your records with those in a backup, after checking the whole file."""
    from psoas.web import backup as store

    _start(migrate=False)
    with _refusals(), store.prepare(file) as candidate:
        _confirm(
            f"This replaces ALL your records with the {_words(candidate.summary['records'])} "
            f"in {file}. Type 'yes' to go on: ",
            "yes",
            yes,
        )
        candidate.apply()
    summary = candidate.summary
    _show(summary, summary["records"], json_out, f"Restored your records from {file}:")


def delete(
    all_records: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every record: profiles, plans, sessions, check-ins, questionnaire answers.",
        ),
    ] = False,
    yes: YesOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Erase all your records for good, leaving an empty store (asks you to type 'delete')."""
    from psoas.cli.app import fail

    if not all_records:
        raise fail("--all: required; psoas erases all records at once, not some of them")
    from psoas.web import backup as store

    _start(migrate=True)
    _confirm(
        "This erases ALL your records for good ('psoas backup FILE' keeps a copy first). "
        "Type 'delete' to go on: ",
        "delete",
        yes,
    )
    with _refusals():
        summary = store.delete_all()
    heading = "Erased every record; run 'psoas init' to start again. Erased:"
    _show(summary, summary["deleted"], json_out, heading)


def _start(*, migrate: bool) -> None:
    """Start Django; a restore does not migrate a store it is about to replace."""
    from psoas.cli.app import fail
    from psoas.web.backup import configure
    from psoas.web.bootstrap import setup

    try:
        with _refusals():
            setup() if migrate else configure()
    except ValueError as exc:  # a bad database URL
        raise fail(f"--database-url: {exc}") from None


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """A refusal, a file that cannot be read or written, or a database that cannot be
    reached becomes one line and exit 2."""
    from django.db import Error as DatabaseError

    from psoas.cli.app import fail
    from psoas.web.backup import BackupError

    try:
        yield
    except BackupError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"FILE: {exc.strerror or exc} ('{exc.filename}')") from None
    except DatabaseError as exc:
        raise fail(f"--database-url: {str(exc).strip().splitlines()[0]}") from None


def _confirm(question: str, word: str, yes: bool) -> None:
    """Ask before replacing or erasing records; the answer must be `word`. Without a
    terminal to ask on, only --yes goes ahead, so a script never hangs on a prompt."""
    from psoas.cli.app import fail

    if yes:
        return
    if not sys.stdin.isatty():
        raise fail("--yes: needed when psoas cannot ask you (no terminal); nothing was changed")
    sys.stderr.write(question)
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() != word:
        raise fail(f"not confirmed (you did not type '{word}'); nothing was changed")


def _show(summary: dict[str, Any], counts: dict[str, int], json_out: bool, heading: str) -> None:
    """The summary as JSON, or the heading and the counts in words."""
    from psoas.cli.app import _print_json

    if json_out:
        _print_json(summary)
    else:
        sys.stdout.write(f"{heading} {_words(counts)}.\n")


def _words(counts: dict[str, int]) -> str:
    """'1 person, 3 plans, ...' from counts by model label."""
    from django.apps import apps

    words = []
    for label, n in counts.items():
        meta = apps.get_model(label)._meta
        words.append(f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}")
    return ", ".join(words) or "no records"
