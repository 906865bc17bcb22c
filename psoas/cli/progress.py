"""`psoas progress`: pain, adherence and what was reached, as charts in the terminal."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.markup import escape
from rich.padding import Padding

from psoas.cli.app import _print_json
from psoas.cli.render import console
from psoas.cli.tables import RowTable
from psoas.cli.tracking import open_store

BAR = 30  # characters for a full bar


def _bar(value: float, full: float, style: str) -> str:
    n = round(BAR * max(0.0, min(1.0, value / full))) if full else 0
    return f"[{style}]{'█' * n}[/][dim]{'·' * (BAR - n)}[/]"


def render(data: dict[str, Any]) -> None:
    pain = data["pain"]
    if pain["baseline"] is None:
        console.print("No pain scores yet: run [bold]psoas checkin[/].")
    else:
        console.print(
            f"[bold]Pain[/] (0 none to 10 worst): at the start {pain['baseline']}, "
            f"now {pain['latest']}."
        )
        console.print(Padding(pain["change"]["message"], (0, 0, 0, 2)))
        table = RowTable("week of", "average pain", "")
        for w in pain["weekly"][-12:]:
            style = "green" if w["mean"] <= pain["baseline"] - 2 else "yellow"
            table.add_row(w["week_start"], _bar(w["mean"], 10, style), f"{w['mean']:g}")
        console.print(table)
    adh = data["adherence"]
    if adh["overall"] is None:
        console.print("\nNo sessions due yet.")
    else:
        console.print(
            f"\n[bold]Sessions done[/]: {adh['done']} of {adh['scheduled']} "
            f"({round(100 * adh['overall'])} %). Streak: {adh['current_streak']} in a row "
            f"(best {adh['longest_streak']})."
        )
        table = RowTable("week of", "done", "")
        for w in adh["weeks"][-12:]:
            table.add_row(
                w["week_start"], _bar(w["share"], 1, "cyan"), f"{w['done']} of {w['scheduled']}"
            )
        console.print(table)
    if data["achieved"]:
        console.print()
        table = RowTable(
            "exercise",
            "week",
            "planned",
            "done",
            wrap=0,
            title="Reached against plan (average per set)",
        )
        for ex in data["achieved"]:
            for w in ex["weeks"]:
                if w["planned_reps"] is not None:
                    planned, done = f"{w['planned_reps']:g} reps", f"{w['reps_done'] or 0:g} reps"
                else:
                    planned = f"{w['planned_hold_s'] or 0:g} s"
                    done = f"{w['hold_s_done'] or 0:g} s"
                table.add_row(escape(ex["name"]), str(w["week"]), planned, done)
        console.print(table)
    if data["questionnaires"]:
        console.print()
    for q in data["questionnaires"]:
        line = f"[bold]{q['id'].upper()}[/]: at the start {q['baseline']}, now {q['latest']}."
        if "change" in q:
            line += f" {q['change']['message']}"
        console.print(line)


def run(json_out: bool) -> None:
    person = open_store()
    from psoas.web.outcomes.progress import progress

    data = progress(person, date.today())
    if json_out:
        _print_json(data)
    else:
        render(data)
