"""Rich rendering of plans, exercises and education for the terminal."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

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
    lines = [referral["message"], "", "You answered yes to:"]
    lines += [f"- {r['question']}" for r in referral["reasons"]]
    console.print(
        Panel(
            "\n".join(lines),
            title=referral["title"],
            border_style=LEVEL_STYLE[referral["level"]].split()[-1],
        )
    )


def render_plan(plan: dict[str, Any]) -> None:
    for c in plan["cautions"]:
        console.print(Panel(c["message"], title="Take care", border_style="yellow"))
    if plan["status"] == "refer":
        render_referral(plan["referral"])
        return
    label = plan["classification"].replace("_", " and ").replace("and and", "and")
    console.print(f"[bold]Your hip flexors:[/] {label}")
    for why in plan["classification_why"]:
        console.print(f"  - {why}")
    freq = plan["frequency"]
    console.print(f"[bold]How often:[/] {freq['days_per_week']} days a week. {freq['why']}\n")
    for week in plan["weeks"]:
        for s in week["sessions"]:
            table = Table(
                title=f"Week {week['week']}: {s['name']}, {s['times_per_week']} days a week, "
                f"about {s['estimated_minutes']:g} min",
                box=box.SIMPLE_HEAD,
                title_justify="left",
                expand=True,
            )
            table.add_column("Exercise", min_width=30, overflow="fold")
            table.add_column("Dose", min_width=14)
            table.add_column("Why", ratio=1)
            for ex in s["exercises"]:
                table.add_row(f"{ex['name']}\n[dim]{ex['id']}[/]", dose_text(ex), ex["why"])
            console.print(table)
    if plan["substitutions"]:
        console.print("[bold]Swapped for you[/]")
        for sub in plan["substitutions"]:
            console.print(f"  - {sub['from']} -> {sub['to']}: {sub['reason']}")
    if plan["excluded"]:
        console.print("[bold]Left out[/]")
        for ex in plan["excluded"]:
            console.print(f"  - {ex['id']}: {ex['reason']}")


def render_exercise_list(items: list[Exercise]) -> None:
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("id", "name", "kind", "position", "needs"):
        table.add_column(col)
    for e in items:
        table.add_row(e.id, e.name, e.kind, e.movement.position, ", ".join(e.equipment) or "-")
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


def _bullets(items: list[str], numbered: bool = False) -> str:
    return "\n".join(f"{i}. {t}" if numbered else f"- {t}" for i, t in enumerate(items, 1))


def render_exercise(ex: Exercise, cat: Catalog) -> None:
    d = ex.dosing
    dose = [f"{d.sets.min}-{d.sets.max} sets"]
    if d.reps:
        dose.append(f"{d.reps.min}-{d.reps.max} reps")
    if d.hold_s:
        dose.append(f"hold {d.hold_s.min}-{d.hold_s.max} s")
    dose.append({"each": "each side", "both": "both sides together", "none": ""}[d.sides])
    parts = [
        f"[bold]{ex.name}[/] ({ex.kind}, {ex.movement.position.replace('_', ' ')})",
        ex.summary,
        f"[bold]What it works:[/] {ex.target_note}",
        f"[bold]Dose:[/] {', '.join(p for p in dose if p)}; rest {d.rest_s} s; "
        f"{d.days_per_week.min}-{d.days_per_week.max} days a week",
        f"[bold]Needs:[/] {', '.join(ex.equipment) or 'nothing'}"
        + (f" (helpful: {', '.join(ex.optional_equipment)})" if ex.optional_equipment else ""),
        "[bold]How to do it[/]\n" + _bullets(ex.steps, numbered=True),
        "[bold]Tips[/]\n" + _bullets(ex.cues),
        f"[bold]Breathing:[/] {ex.breathing}",
        "[bold]Common mistakes[/]\n" + _bullets(ex.common_faults),
        "[bold red]Stop if[/]\n" + _bullets(ex.stop_signs),
    ]
    if ex.precautions:
        parts.append("[bold]Take care[/]\n" + _bullets(ex.precautions))
    avoid = who_should_not(ex, cat)
    if avoid:
        parts.append("[bold]Left out for[/]\n" + _bullets(avoid))
    for label, ids in (
        ("Easier", ex.regressions),
        ("Harder", ex.progressions),
        ("Instead", ex.substitutes),
    ):
        if ids:
            parts.append(f"[bold]{label}:[/] {', '.join(ids)}")
    parts.append("[dim]Sources:\n" + _bullets([f"{s.title}: {s.fact}" for s in ex.sources]) + "[/]")
    console.print(Panel("\n\n".join(parts), expand=True))


def render_topic_list(listing: list[dict[str, str]]) -> None:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("topic")
    table.add_column("title")
    table.add_column("summary")
    for t in listing:
        table.add_row(t["id"], t["title"], t["summary"])
    console.print(table)
    console.print("Read one with: psoas learn TOPIC")


def render_topic(topic: Topic) -> None:
    md = [f"# {topic.title}", topic.summary]
    for s in topic.sections:
        md += [f"## {s.heading}", s.body]
    console.print(Markdown("\n\n".join(md)))
    for c in topic.claims:
        style = GRADE_STYLE[c.grade]
        console.print(
            Panel(
                f"{c.verdict}\n\n{c.explanation}",
                title=f"[{style}]{c.grade.upper()}[/]: {c.claim}",
                title_align="left",
                border_style=style,
            )
        )
    console.print("[dim]Sources:\n" + _bullets([s.title for s in topic.sources]) + "[/]")


def render_self_test(test: SelfTest) -> None:
    parts = [f"[bold]{test.name}[/]", test.purpose]
    if test.needs:
        parts.append("[bold]You need[/]\n" + _bullets(test.needs))
    parts += [
        "[bold]Steps[/]\n" + _bullets(test.steps, numbered=True),
        "[bold]Write down[/]\n" + _bullets(test.record),
        "[bold]What it means[/]\n" + _bullets(test.how_to_read),
        "[bold red]Stop if[/]\n" + _bullets(test.stop_signs),
        f"[bold]Limits of this test:[/] {test.limits_of_test}",
    ]
    console.print(Panel("\n\n".join(parts)))
