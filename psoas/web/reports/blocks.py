"""The report's blocks: which block of six weeks is in force, and each finished block's
re-test beside its start, with the minimal change that counts and the choice made.

A clinician sees at a glance how many blocks the person has done, what each was for
(the first, a step up, or keeping what was reached), whether things got better by an
amount that counts, and what the person chose. The figures are the store's
(`psoas.web.programs.blocks`): the review as it was saved at the block's end.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from psoas.core.content.questionnaires import questionnaires
from psoas.core.planning.blocks import HOLD_CHANGE_S, VERDICT_NAMES
from psoas.web.programs.blocks import block_of, blocks, last_session_date, review_due
from psoas.web.programs.models import Person, Plan

KIND_WORDS = {
    "first": "first block",
    "progress": "progress: steps up from the block before",
    "maintain": "maintain: keeps what was reached, fewer days",
}
CHOICE_WORDS = {
    "progress": "Progress (step up)",
    "maintain": "Maintain (keep what was reached)",
    "see_clinician": "See a clinician first",
}


def _minimal_change(measure: str) -> str:
    """The change that counts for one row, in a few words: the questionnaire's own
    figure for pain and the activity check, and the project's for the self-tests."""
    if measure in ("nprs", "psfs"):
        mc = questionnaires()[measure].minimal_change
        if mc is None or mc.points is None:
            return "-"
        points = f"{mc.points:g} points"
        return f"{points}, or {mc.percent:g} % better" if mc.percent else points
    if measure.startswith("thomas_"):
        return "a change of result"
    return f"{HOLD_CHANGE_S:g} s (our own figure)"


def _value(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:g}" if isinstance(v, float | int) else str(v)


def in_force(plan: Plan, end: date) -> dict[str, Any] | None:
    """The block of the plan in force at the report's end: its number, kind, first and
    last session days, whether it has begun, and whether the re-test is due. None for a
    referral."""
    if plan.data["status"] != "ok":
        return None
    block = block_of(plan)
    last = last_session_date(plan)
    return {
        "number": block["number"],
        "kind": KIND_WORDS.get(block["kind"], block["kind"]),
        "start": plan.start_date.isoformat(),
        "end": last.isoformat() if last else "",
        "started": plan.start_date <= end,
        "review_due": review_due(plan, end),
    }


def history(person: Person, start: date, end: date) -> list[dict[str, Any]]:
    """The block in force and every block re-tested and begun by `end`, oldest first
    (a plan left early for a new start is not a block that ended); each with its re-test
    when it was done in the range: before and after per measure, the verdict, the
    minimal change and the choice."""
    out = []
    for b in blocks(person):
        r = b["review"]
        if not b["active"] and (r is None or b["start_date"] > end.isoformat()):
            continue
        done = r is not None and start.isoformat() <= r["date"] <= end.isoformat()
        out.append(
            {
                "number": b["number"],
                "kind": b["kind"],
                "start": b["start_date"],
                "end": b["end_date"] or "",
                "active": b["active"],
                "review": None
                if not done
                else {
                    "date": r["date"],
                    "summary": r["summary"],
                    "choice": CHOICE_WORDS.get(r["choice"], "Not chosen yet"),
                    "next_start": r["next_start"] or "",
                    "rows": [
                        {
                            "label": row["label"],
                            "before": _value(row["before"]),
                            "after": _value(row["after"]),
                            "verdict": VERDICT_NAMES[row["verdict"]],
                            "minimal": _minimal_change(row["id"]),
                        }
                        for row in r["rows"]
                    ],
                },
            }
        )
    return out
