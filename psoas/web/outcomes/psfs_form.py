"""The activity check (PSFS) as a page form: its rows and reading them back. The weekly
check-in and the re-test at a block's end (`/block/`) ask it the same way, with the
activities named last time fixed, so the scores compare; the rows are drawn by
`outcomes/_psfs_rows.html`."""

from __future__ import annotations

from typing import Any

PSFS_ACTIVITIES = 5
PSFS_NEEDED = 3


def psfs_rows(previous: dict[str, Any] | None, post: Any) -> list[dict[str, Any]]:
    """The activity check's rows: the activities named last time (fixed), or five empty
    rows to name them (the first three needed)."""
    rows = []
    for n in range(1, PSFS_ACTIVITIES + 1):
        fixed = (previous or {}).get(f"activity_{n}_name")
        if previous and not fixed:
            continue
        rows.append(
            {
                "n": n,
                "name_field": f"activity_{n}_name",
                "rating_field": f"activity_{n}",
                "fixed_name": fixed or "",
                "name": fixed or (post.get(f"activity_{n}_name", "") if post else ""),
                "rating": post.get(f"activity_{n}", "") if post else "",
                "required": n <= PSFS_NEEDED,
            }
        )
    return rows


def read_score(value: str | None) -> int | None:
    """A 0-10 score from a form, or None."""
    if value is None or not value.strip().isdigit():
        return None
    n = int(value)
    return n if 0 <= n <= 10 else None


def read_psfs(post: Any, rows: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, dict]:
    """(the answers, or None when the check was left empty; errors by field name). The
    check may be left empty; begun, it must be whole."""
    errors: dict[str, str] = {}
    filled = any(
        post.get(r["rating_field"], "").strip()
        or (not r["fixed_name"] and post.get(r["name_field"], "").strip())
        for r in rows
    )
    if not filled:
        return None, errors
    answers: dict[str, Any] = {}
    for r in rows:
        name = (r["fixed_name"] or post.get(r["name_field"], "")).strip()[:80]
        raw = post.get(r["rating_field"], "").strip()
        rating = read_score(raw)
        if not name and not raw:
            if r["required"]:
                errors[r["name_field"]] = f"Activity {r['n']}: name a thing you find hard to do."
            continue
        if not name:
            errors[r["name_field"]] = f"Activity {r['n']}: give its name."
        elif "\x00" in name:
            errors[r["name_field"]] = f"Activity {r['n']}: remove the NUL character."
            name = ""
        if rating is None:
            errors[r["rating_field"]] = f"Activity {r['n']}: pick a number from 0 to 10."
        if name and rating is not None:
            answers[r["name_field"]] = name
            answers[r["rating_field"]] = rating
    return answers, errors


def error_anchors(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Field name -> the id of its control, for an error summary's links."""
    out = {r["name_field"]: f"id_{r['name_field']}" for r in rows}
    out.update({r["rating_field"]: f"id_{r['rating_field']}" for r in rows})
    return out


def with_errors(rows: list[dict[str, Any]], errors: dict[str, str]) -> list[dict[str, Any]]:
    """The rows with their own errors, for the template."""
    return [
        {
            **r,
            "name_error": errors.get(r["name_field"]),
            "rating_error": errors.get(r["rating_field"]),
        }
        for r in rows
    ]
