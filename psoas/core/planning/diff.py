"""What changed between two versions of a plan, in plain words, for a clinician's history
of a patient's program: exercises added, removed or swapped, doses changed, dates changed,
week by week and session by session.

Exercises are matched by id within the same week and session. In a session that lost one
exercise and gained another, the two are told as a swap (one of the same kind first), since
that is how a clinician thinks of it. A change of wording (`why`) or of the session's
estimated minutes alone is not a change of the program, so it is not listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from psoas.core.content.loader import Catalog, catalog
from psoas.core.planning.progression import Rung, dose_words

ChangeKind = Literal["added", "removed", "swapped", "dose", "dates", "status"]
DOSE_KEYS = ("sets", "reps", "hold_s", "focus_side")


@dataclass(frozen=True)
class Change:
    """One change. `exercise` is the one added, removed or re-dosed, or the one swapped
    out (`to` the one swapped in); `session` counts from 1; `before` and `after` are a dose
    or a date in words. `week` and `session` are None for the plan as a whole."""

    kind: ChangeKind
    week: int | None
    session: int | None
    what: str  # the change in words, without its week
    exercise: str | None = None
    to: str | None = None

    @property
    def text(self) -> str:
        if self.week is None:
            return self.what
        where = f"Week {self.week}"
        if self.session is not None and self.session > 1:
            where += f", session {self.session}"
        return f"{where}: {self.what}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "week": self.week,
            "session": self.session,
            "exercise": self.exercise,
            "to": self.to,
            "text": self.text,
        }


def _dose(e: Mapping[str, Any], cat: Catalog) -> str:
    words = dose_words(Rung(cat.exercises[e["id"]], e["sets"], e["reps"], e["hold_s"]))
    if e.get("focus_side"):
        words += f", one more set on the {e['focus_side']} side"
    return words


def _day(value: Any) -> str:
    return date.fromisoformat(str(value)).strftime("%-d %B %Y")


def _dates(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    out = []
    for key, name in (("start_date", "Start date"), ("review_date", "Review date")):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if a is None:
            what = f"{name} set to {_day(b)}."
        elif b is None:
            what = f"{name} {_day(a)} taken away."
        else:
            what = f"{name} moved from {_day(a)} to {_day(b)}."
        out.append(Change("dates", None, None, what))
    return out


def _pairs(
    removed: list[Mapping[str, Any]], added: list[Mapping[str, Any]]
) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Removed and added exercises told as swaps: one of the same kind first, in order."""
    pairs, free = [], list(added)
    for same_kind in (True, False):
        for r in list(removed):
            match = next((a for a in free if (a["kind"] == r["kind"]) or not same_kind), None)
            if match is not None:
                pairs.append((r, match))
                free.remove(match)
                removed.remove(r)
    added[:] = free
    return pairs


def _session(
    week: int, n: int, old: list[Mapping[str, Any]], new: list[Mapping[str, Any]], cat: Catalog
) -> list[Change]:
    before = {e["id"]: e for e in old}
    after = {e["id"]: e for e in new}
    removed = [e for i, e in before.items() if i not in after]
    added = [e for i, e in after.items() if i not in before]
    out = [
        Change(
            "swapped",
            week,
            n,
            f"{r['name']} swapped for {a['name'].lower()}.",
            r["id"],
            a["id"],
        )
        for r, a in _pairs(removed, added)
    ]
    out += [Change("removed", week, n, f"{r['name']} removed.", r["id"]) for r in removed]
    out += [Change("added", week, n, f"{a['name']} added.", a["id"]) for a in added]
    for i, e in after.items():
        was = before.get(i)
        if was is not None and any(was.get(k) != e.get(k) for k in DOSE_KEYS):
            what = f"{e['name']}: {_dose(was, cat)}, now {_dose(e, cat)}."
            out.append(Change("dose", week, n, what, i))
    return out


def plan_diff(
    old: Mapping[str, Any], new: Mapping[str, Any], cat: Catalog | None = None
) -> list[Change]:
    """The changes from `old` to `new`, dates first, then week by week."""
    cat = cat or catalog()
    out = _dates(old, new)
    if old.get("status") != new.get("status"):
        what = (
            "The plan now sends the patient to a clinician, with no exercises."
            if new.get("status") == "refer"
            else "The plan now has exercises again."
        )
        return [*out, Change("status", None, None, what)]
    old_weeks = {w["week"]: w["sessions"] for w in old.get("weeks", [])}
    new_weeks = {w["week"]: w["sessions"] for w in new.get("weeks", [])}
    for week in sorted(old_weeks.keys() | new_weeks.keys()):
        a, b = old_weeks.get(week, []), new_weeks.get(week, [])
        for n in range(max(len(a), len(b))):
            ea = a[n]["exercises"] if n < len(a) else []
            eb = b[n]["exercises"] if n < len(b) else []
            out += _session(week, n + 1, ea, eb, cat)
    return out


def change_lines(changes: Iterable[Change]) -> list[str]:
    """The changes as lines, the same change in a run of weeks told once ("Weeks 2-6: ..."),
    in the order they first come."""
    groups: dict[tuple, list[int]] = {}
    lines: list[str] = []
    for c in changes:
        if c.week is None:
            lines.append(c.what)
        else:
            groups.setdefault((c.session, c.what), []).append(c.week)
    for (session, what), weeks in groups.items():
        runs: list[list[int]] = []
        for w in sorted(set(weeks)):
            if runs and runs[-1][-1] == w - 1:
                runs[-1].append(w)
            else:
                runs.append([w])
        for run in runs:
            where = f"Week {run[0]}" if len(run) == 1 else f"Weeks {run[0]}-{run[-1]}"
            if session is not None and session > 1:
                where += f", session {session}"
            lines.append(f"{where}: {what}")
    return lines
