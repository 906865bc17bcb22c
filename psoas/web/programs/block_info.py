"""What the pages show about blocks (a plan's six weeks, issue 16 item 1), in words: the
block in force and its week, the review still open with the exercises a maintain block
may keep, the end of a block on Today, and the history with each block's before and after.

It only reads. The rules are the core's (`psoas/core/planning/blocks.py`) and the store's
(`programs/blocks.py`, whose `block_status` the CLI and the API give as JSON), so Today,
Plan, Progress, the player and `/block/` all say the same thing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from psoas.core.content.loader import catalog
from psoas.core.planning.blocks import CHOICE_NAMES, VERDICT_NAMES
from psoas.core.planning.schedule import program_week
from psoas.web.programs.blocks import (
    block_of,
    blocks,
    last_session_date,
    latest_review,
    review_due,
)
from psoas.web.programs.models import BlockReview, Person, Plan

KIND_WORDS = {
    "first": "your first six weeks",
    "progress": "a step up from where you got to",
    "maintain": "keeping up what helped, fewer days a week",
}
RESULT_WORDS = {"positive": "Positive", "negative": "Negative"}


def current_block(plan: Plan, day: date) -> dict[str, Any]:
    """The block a plan is, with its dates and the week `day` falls in (None before it
    starts; past `weeks` once its weeks are over)."""
    weeks = len(plan.data["weeks"])
    return {
        **block_of(plan),
        "plan_id": plan.id,
        "start_date": plan.start_date,
        "end_date": plan.start_date + timedelta(days=7 * weeks - 1),
        "weeks": weeks,
        "week": program_week(plan.start_date, day) if day >= plan.start_date else None,
    }


def block_label(block: dict[str, Any]) -> str:
    """Where the person is, in words: "Block 2, week 3 of 6"."""
    name = f"Block {block['number']}"
    if block["week"] is None:
        return name
    if block["week"] > block["weeks"]:
        return f"{name}: all {block['weeks']} weeks done"
    return f"{name}, week {block['week']} of {block['weeks']}"


def review_view(r: BlockReview) -> dict[str, Any]:
    """A saved review as `/block/` shows it: the rows, the summary, the options, and the
    exercises done in the block by name (those a maintain block keeps by default marked)."""
    cat = catalog()
    keep = set(r.review["keep"])
    exercises = []
    for slot, reached in r.review["reached"].items():
        ex = cat.exercises.get(reached["exercise_id"])
        exercises.append(
            {
                "slot": slot,
                "exercise_id": reached["exercise_id"],
                "name": ex.name if ex else reached["exercise_id"].replace("_", " "),
                "keep": slot in keep,
            }
        )
    return {
        "review_id": r.id,
        "date": r.date,
        "rows": r.review["rows"],
        "improved": r.review["improved"],
        "summary": r.review["summary"],
        "options": r.review["options"],
        "exercises": sorted(exercises, key=lambda e: e["name"]),
        "choice": r.choice or None,
        "start_date": r.start_date,
        "next_plan_id": r.next_plan_id,
    }


def rows_in_words(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A review's before-and-after rows with each value and verdict in words."""
    return [
        {
            **r,
            "before_words": _value_words(r["before"]),
            "after_words": _value_words(r["after"]),
            "verdict_words": VERDICT_NAMES[r["verdict"]],
        }
        for r in rows
    ]


def _value_words(value: Any) -> str:
    if value is None:
        return "Not done"
    if isinstance(value, str):
        return RESULT_WORDS.get(value, value)
    return f"{round(value, 1):g}"


def history(person: Person) -> list[dict[str, Any]]:
    """The person's blocks, first to last, with their dates and reviews."""
    out = []
    for b in blocks(person):
        review = b["review"]
        if review is not None:
            review = {
                **review,
                "date": date.fromisoformat(review["date"]),
                "rows": rows_in_words(review["rows"]),
                "choice_words": CHOICE_NAMES.get(review["choice"] or ""),
            }
        end = b["end_date"] and date.fromisoformat(b["end_date"])
        out.append(
            {
                **b,
                "start_date": date.fromisoformat(b["start_date"]),
                "end_date": end,
                "review": review,
                "kind_words": KIND_WORDS[b["kind"]],
                "caption": f"Block {b['number']}: your scores at its start and its end",
            }
        )
    return out


def open_review(plan: Plan, day: date) -> BlockReview | None:
    """The review waiting for a choice (none made, or "see a clinician first")."""
    return latest_review(plan) if review_due(plan, day) else None


def block_end(plan: Plan, day: date) -> dict[str, Any] | None:
    """What Today says at a block's end; None until the re-test is due."""
    if plan.data["status"] != "ok" or not review_due(plan, day):
        return None
    r = latest_review(plan)
    return {
        "number": block_of(plan)["number"],
        "last_day": last_session_date(plan),
        "reviewed": r is not None,
        "choice": (r.choice or None) if r else None,
    }
