"""The report's first half in words: who the person is, what the screen found, and the
program's doses. Pure functions over the stored profile and plan JSON and the content
catalog, so they read the same for the CLI now and the web download later.
"""

from __future__ import annotations

from typing import Any

from psoas.core.content.loader import Catalog
from psoas.core.profile import DEFAULT_MINUTES

LEVEL_WORDS = {
    "emergency": "emergency: get help now",
    "urgent": "urgent: see a doctor within a day",
    "routine": "see a clinician before starting",
}
SIDE_WORDS = {"each": "each side", "both": "both sides together", "none": "-"}


def _names(ids: list[str], known: dict[str, Any]) -> str:
    return ", ".join(known[i].name if i in known else i.replace("_", " ") for i in ids) or "none"


def _per_side(values: dict[str, Any], unit: str = "") -> str:
    return ", ".join(
        f"{side} {v:g}{unit}" if isinstance(v, float) else f"{side} {v}{unit}"
        for side, v in values.items()
    )


def _pregnancy(profile: dict[str, Any]) -> str:
    if profile.get("pregnancy_weeks") is not None:
        return f"{profile['pregnancy_weeks']} weeks pregnant"
    if profile.get("postpartum_weeks") is not None:
        return f"gave birth {profile['postpartum_weeks']} weeks ago"
    return "none stated"


def profile_rows(profile: dict[str, Any], cat: Catalog) -> list[tuple[str, str]]:
    """(label, value) pairs: the profile fields a physiotherapist asks about first."""
    tests = profile.get("assessment") or {}
    sitting = profile.get("sitting_hours_per_day")
    rows = [
        ("Age", str(profile["age"]) if profile.get("age") is not None else "not given"),
        ("Pregnancy", _pregnancy(profile)),
        ("Conditions", _names(profile.get("conditions", []), cat.conditions)),
        ("Limits", _names(profile.get("limits", []), cat.limits)),
        ("Sitting", "not given" if sitting is None else f"{sitting:g} hours a day"),
        ("Activities", ", ".join(profile.get("activities", [])) or "none given"),
        ("Equipment", ", ".join(profile.get("equipment", [])).replace("_", " ") or "none"),
        ("Time per session", f"{profile.get('minutes_per_session', DEFAULT_MINUTES)} minutes"),
    ]
    if tests.get("thomas_test"):
        rows.append(("Thomas test", _per_side(tests["thomas_test"])))
    if tests.get("hip_flexor_hold_s"):
        rows.append(("Hip flexor hold", _per_side(tests["hip_flexor_hold_s"], " s")))
    nprs = (profile.get("pain") or {}).get("nprs")
    rows.append(("Pain at the start", "not given" if nprs is None else f"{nprs} out of 10"))
    return rows


def screening(
    plan: dict[str, Any], checkin_flags: list[tuple[str, str]], cat: Catalog
) -> dict[str, Any]:
    """The screen's outcome: red flags (at the screen and at check-ins), referral or
    clearance, and the classification with its reasons."""
    at_checkins = {fid for _, fid in checkin_flags}
    flags = [  # a check-in's flags join the profile too: list those once, with their date
        {"when": "at the screen", "question": r["question"], "level": LEVEL_WORDS[r["level"]]}
        for r in (plan.get("referral") or {}).get("reasons", [])
        if r["id"] not in at_checkins
    ]
    for day, fid in checkin_flags:
        flag = cat.red_flags.get(fid)
        flags.append(
            {
                "when": f"check-in {day}",
                "question": flag.question if flag else fid,
                "level": LEVEL_WORDS[flag.level] if flag else "",
            }
        )
    referral = plan.get("referral")

    def name(exercise_id: str) -> str:
        ex = cat.exercises.get(exercise_id)
        return ex.name if ex else exercise_id.replace("_", " ")

    return {
        "refer": plan["status"] == "refer",
        "result": referral["title"] if referral else "Cleared to start the program.",
        "message": referral["message"] if referral else "",
        "red_flags": flags,
        "classification": (plan.get("classification") or "unclear").replace("_", " "),
        "why": plan.get("classification_why", []),
        "cautions": [c["message"] for c in plan.get("cautions", [])],
        "changes": [f"Left out {name(e['id'])}: {e['reason']}" for e in plan["excluded"]]
        + [
            f"{name(s['from'])} swapped for {name(s['to'])}: {s['reason']}"
            for s in plan["substitutions"]
        ],
    }


def dose(ex: dict[str, Any]) -> str:
    """Sets x reps (with the pause at the top) or sets x hold, as a clinician writes it."""
    if ex["reps"] is not None:
        pause = f", {ex['hold_s']:g} s pause" if ex.get("hold_s") else ""
        return f"{ex['sets']} x {ex['reps']} reps{pause}"
    return f"{ex['sets']} x {ex['hold_s']:g} s hold"


def program_rows(plan: dict[str, Any], week: int) -> list[dict[str, Any]]:
    """One row per exercise and dose in a plan week; an exercise in several sessions at the
    same dose is one row whose days a week add up."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for session in plan["weeks"][week - 1]["sessions"]:
        for ex in session["exercises"]:
            key = (ex["id"], dose(ex))
            row = rows.setdefault(
                key,
                {
                    "name": ex["name"],
                    "kind": ex["kind"],
                    "dose": key[1],
                    "side": SIDE_WORDS[ex["side"]],
                    "days": 0,
                },
            )
            row["days"] += session["times_per_week"]
    return list(rows.values())
