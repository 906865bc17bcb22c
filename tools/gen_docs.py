"""Write docs/ids.md: every id a profile may use, from the content catalog.

Run `python tools/gen_docs.py` after changing content; a test fails when the file is stale.
"""

from __future__ import annotations

from pathlib import Path

from psoas.core.content.loader import catalog
from psoas.core.content.models import Equipment
from psoas.core.profile import ACTIVITIES
from psoas.core.screening.restrictions import EQUIPMENT_NAMES

OUT = Path(__file__).resolve().parents[1] / "docs" / "ids.md"


def render() -> str:
    cat = catalog()
    lines = [
        "# Profile ids",
        "",
        "Generated from the content catalog by `tools/gen_docs.py`; do not edit by hand.",
        "`psoas schema profile` prints the same ids as JSON Schema enums.",
        "",
        "## red_flags",
        "",
        "Each id answered yes refers on its own (exit code 3).",
        "",
        "| id | level | asked when | re-asked each session | question |",
        "|---|---|---|---|---|",
    ]
    for f in cat.screening.red_flags:
        lines.append(
            f"| `{f.id}` | {f.level} | {f.ask_when} | "
            f"{'yes' if f.every_session else 'no'} | {f.question} |"
        )
    lines += [
        "",
        "## conditions",
        "",
        "| id | name | what it removes or changes |",
        "|---|---|---|",
    ]
    for c in cat.conditions.values():
        rules = (
            "; ".join(", ".join(f"{k}={v}" for k, v in r.match.items()) for r in c.forbids) or "-"
        )
        mods = [k for k, v in c.modifiers.model_dump().items() if v]
        lines.append(
            f"| `{c.id}` | {c.name} | {rules}{' (' + ', '.join(mods) + ')' if mods else ''} |"
        )
    lines += ["", "## limits", "", "| id | removes |", "|---|---|"]
    for lim in cat.limits.values():
        lines.append(
            f"| `{lim.id}` | "
            + "; ".join(", ".join(f"{k}={v}" for k, v in r.match.items()) for r in lim.forbids)
            + " |"
        )
    lines += ["", "## equipment", "", "| id | meaning |", "|---|---|"]
    for e in Equipment.__args__:  # type: ignore[attr-defined]
        lines.append(f"| `{e}` | {EQUIPMENT_NAMES[e]} |")
    lines += ["", "## activities", "", ", ".join(f"`{a}`" for a in ACTIVITIES), ""]
    lines += [
        "## exercises",
        "",
        "| id | name | kind | position | needs |",
        "|---|---|---|---|---|",
    ]
    for ex in cat.exercises.values():
        lines.append(
            f"| `{ex.id}` | {ex.name} | {ex.kind} | {ex.movement.position} | "
            f"{', '.join(ex.equipment) or '-'} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
