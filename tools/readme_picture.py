"""Render docs/images/plan.svg, the README picture: week 1 of the desk worker's plan."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from psoas.cli import render
from psoas.core.planning.planner import build_plan
from psoas.core.profile import load_profile_text

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    render.console = Console(record=True, width=80, highlight=False)
    plan = build_plan(load_profile_text((ROOT / "examples" / "desk_worker.json").read_text()))
    plan["weeks"] = plan["weeks"][:1]
    render.render_plan(plan)
    out = ROOT / "docs" / "images" / "plan.svg"
    render.console.save_svg(str(out), title="psoas plan --profile examples/desk_worker.json")
    print(f"wrote {out}")
