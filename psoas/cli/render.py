"""Rich rendering of plans, exercises and education for the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.text import Text

from psoas.cli.tables import RowTable, bullets, fields, spaced
from psoas.core.content.loader import Catalog
from psoas.core.content.models import Exercise, SelfTest, Topic
from psoas.core.screening.restrictions import matches

console = Console(highlight=False)
GRADE_STYLE = {"supported": "green", "mixed": "yellow", "unsupported": "red"}
LEVEL_STYLE = {"emergency": "bold white on red", "urgent": "bold red", "routine": "bold yellow"}


def dose_text(ex: dict[str, Any]) -> str:
    side = " each side" if ex["side"] == "each" else ""
    if ex["reps"] is not None:
        pause = f", {ex['hold_s']} s pause" if ex["hold_s"] else ""
        return f"{ex['sets']} x {ex['reps']} reps{side}{pause}"
    return f"{ex['sets']} x {ex['hold_s']} s{side}"


def render_referral(referral: dict[str, Any]) -> None:
    body = Group(
        Text(referral["message"]),
        Text(),
        Text("You answered yes to:"),
        bullets(Text(r["question"]) for r in referral["reasons"]),
    )
    console.print(
        Panel(
            body, title=referral["title"], border_style=LEVEL_STYLE[referral["level"]].split()[-1]
        )
    )


def session_table(title: str, exercises: list[dict[str, Any]]) -> RowTable:
    """A session's exercises: name and id, the dose, and why under each, all whole."""
    table = RowTable("Exercise", "Dose", wrap=0, title=title)
    for ex in exercises:
        table.add_row(
            f"{escape(ex['name'])}\n[cyan]{ex['id']}[/]", dose_text(ex), note=escape(ex["why"])
        )
    return table


def render_plan(plan: dict[str, Any]) -> None:
    for c in plan["cautions"]:
        console.print(Panel(c["message"], title="Take care", border_style="yellow"))
    if plan["status"] == "refer":
        render_referral(plan["referral"])
        return
    label = plan["classification"].replace("_", " ")
    console.print(f"[bold]Your hip flexors:[/] {label}")
    console.print(Padding(bullets(Text(w) for w in plan["classification_why"]), (0, 0, 0, 2)))
    freq = plan["frequency"]
    console.print(f"[bold]How often:[/] {freq['days_per_week']} days a week. {freq['why']}\n")
    for week in plan["weeks"]:
        for s in week["sessions"]:
            title = (
                f"Week {week['week']}: {s['name']}, {s['times_per_week']} days a week, "
                f"about {s['estimated_minutes']:g} min"
            )
            console.print(session_table(title, s["exercises"]))
            console.print()
    if plan["substitutions"]:
        console.print("[bold]Swapped for you[/]")
        console.print(
            bullets(
                f"{sub['from']} -> [cyan]{sub['to']}[/]\n[dim]{escape(sub['reason'])}[/]"
                for sub in plan["substitutions"]
            )
        )
    if plan["excluded"]:
        console.print("[bold]Left out[/]")
        console.print(
            bullets(f"{ex['id']}\n[dim]{escape(ex['reason'])}[/]" for ex in plan["excluded"])
        )


def render_exercise_list(items: list[Exercise]) -> None:
    table = RowTable("id", "exercise", wrap=1)
    for e in items:
        where = e.movement.position.replace("_", " ")
        needs = ", ".join(e.equipment) or "no equipment"
        table.add_row(f"[cyan]{e.id}[/]", f"{escape(e.name)}\n[dim]{e.kind}, {where}; {needs}[/]")
    console.print(table)


def who_should_not(ex: Exercise, cat: Catalog) -> list[str]:
    """Conditions, limits and pregnancy rules that remove this exercise, in words."""
    attrs = ex.attributes
    out = []
    for c in cat.conditions.values():
        rule = next((r for r in c.forbids if matches(attrs, r.match)), None)
        if rule or c.id in ex.contraindications:
            out.append(f"{c.name}: {rule.reason if rule else 'listed for this exercise.'}")
    for lim in cat.limits.values():
        if any(matches(attrs, r.match) for r in lim.forbids):
            out.append(lim.name)
    preg = cat.pregnancy
    for r in (*preg.forbids_any_week, *preg.forbids_from_supine_week):
        if matches(attrs, r.match):
            out.append(f"Pregnancy: {r.reason}")
    return out


def _section(label: str, items: list[str], numbered: bool = False, style: str = "") -> Group:
    return Group(
        Text.from_markup(label), bullets((Text(t, style=style) for t in items), numbered=numbered)
    )


def dose_fields(ex: Exercise) -> list[tuple[str, str]]:
    """The exercise's dose ranges, one short line each, so none is split at 60 columns."""
    d = ex.dosing
    sets = f"{d.sets.min}-{d.sets.max} sets"
    rows = [("Dose", f"{sets} of {d.reps.min}-{d.reps.max} reps" if d.reps else sets)]
    if d.hold_s:
        rows.append(("Hold", f"{d.hold_s.min}-{d.hold_s.max} s"))
    if d.sides != "none":
        rows.append(("Sides", {"each": "each side", "both": "both sides together"}[d.sides]))
    rows.append(("Rest", f"{d.rest_s} s between sets"))
    rows.append(("How often", f"{d.days_per_week.min}-{d.days_per_week.max} days a week"))
    needs = ", ".join(ex.equipment) or "nothing"
    if ex.optional_equipment:
        needs += f" (helpful: {', '.join(ex.optional_equipment)})"
    rows.append(("Needs", needs))
    return rows


def render_exercise(ex: Exercise, cat: Catalog) -> None:
    parts: list[Any] = [
        Group(
            Text.from_markup(
                f"[bold]{escape(ex.name)}[/] ({ex.kind}, {ex.movement.position.replace('_', ' ')})"
            ),
            Text(ex.summary),
        ),
        Text.from_markup(f"[bold]What it works:[/] {escape(ex.target_note)}"),
        fields(dose_fields(ex)),
        _section("[bold]How to do it[/]", ex.steps, numbered=True),
        _section("[bold]Tips[/]", ex.cues),
        Text.from_markup(f"[bold]Breathing:[/] {escape(ex.breathing)}"),
        _section("[bold]Common mistakes[/]", ex.common_faults),
        _section("[bold red]Stop if[/]", ex.stop_signs),
    ]
    if ex.precautions:
        parts.append(_section("[bold]Take care[/]", ex.precautions))
    avoid = who_should_not(ex, cat)
    if avoid:
        parts.append(_section("[bold]Left out for[/]", avoid))
    moves = [
        (label, ", ".join(ids))
        for label, ids in (
            ("Easier", ex.regressions),
            ("Harder", ex.progressions),
            ("Instead", ex.substitutes),
        )
        if ids
    ]
    if moves:
        parts.append(fields(moves))
    parts.append(
        _section("[dim]Sources[/]", [f"{s.title}: {s.fact}" for s in ex.sources], style="dim")
    )
    console.print(Panel(spaced(parts), expand=True))


def render_topic_list(listing: list[dict[str, str]]) -> None:
    table = RowTable("topic", "title", wrap=1)
    for t in listing:
        table.add_row(f"[cyan]{t['id']}[/]", escape(t["title"]), note=escape(t["summary"]))
    console.print(table)
    console.print("\nRead one with: psoas learn TOPIC")


def render_topic(topic: Topic) -> None:
    md = [f"# {topic.title}", topic.summary]
    for s in topic.sections:
        md += [f"## {s.heading}", s.body]
    console.print(Markdown("\n\n".join(md)))
    for c in topic.claims:
        style = GRADE_STYLE[c.grade]
        body = Group(
            Text(c.claim, style="bold"), Text(), Text(c.verdict), Text(), Text(c.explanation)
        )
        console.print(
            Panel(
                body, title=f"[{style}]{c.grade.upper()}[/]", title_align="left", border_style=style
            )
        )
    console.print(_section("[dim]Sources[/]", [s.title for s in topic.sources], style="dim"))


def render_self_test(test: SelfTest) -> None:
    parts: list[Any] = [Group(Text(test.name, style="bold"), Text(test.purpose))]
    if test.needs:
        parts.append(_section("[bold]You need[/]", test.needs))
    parts += [
        _section("[bold]Steps[/]", test.steps, numbered=True),
        _section("[bold]Write down[/]", test.record),
        _section("[bold]What it means[/]", test.how_to_read),
        _section("[bold red]Stop if[/]", test.stop_signs),
        Text.from_markup(f"[bold]Limits of this test:[/] {escape(test.limits_of_test)}"),
    ]
    console.print(Panel(spaced(parts)))
