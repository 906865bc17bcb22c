"""Choose the exercises for a program, swapping or dropping any that are not safe or possible.

This is where a kneeling lunge becomes a standing one: the limit or condition rule says
*why* the kneeling stretch is out (screening/restrictions.py), and the exercise's own
`substitutes` list in its YAML says *what* takes its place. Every swap and every drop is
recorded with its reason so the person can see it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from psoas.core.content.loader import Catalog
from psoas.core.content.models import Exercise, ProgramSlot
from psoas.core.screening.restrictions import Restrictions

MAX_SUBSTITUTE_DEPTH = 2


@dataclass(frozen=True)
class Pick:
    exercise: Exercise
    why: str


@dataclass
class Selection:
    picks: list[Pick]
    excluded: list[dict[str, str]]
    substitutions: list[dict[str, str]]


def blocked_reasons(cat: Catalog, restrictions: Restrictions) -> dict[str, str]:
    """Exercise id -> why it is out, for every exercise this person may not do."""
    out = {}
    for ex in cat.exercises.values():
        reason = restrictions.reason_against(ex)
        if reason is not None:
            out[ex.id] = reason
    return out


def find_substitute(
    ex: Exercise, cat: Catalog, blocked: dict[str, str], used: set[str]
) -> Exercise | None:
    """Breadth-first over the exercise's substitutes (and theirs), first that fits wins."""
    queue = deque((s, 1) for s in ex.substitutes)
    seen = {ex.id}
    while queue:
        sid, depth = queue.popleft()
        if sid in seen:
            continue
        seen.add(sid)
        if sid not in blocked and sid not in used:
            return cat.exercises[sid]
        if depth < MAX_SUBSTITUTE_DEPTH:
            queue.extend((s, depth + 1) for s in cat.exercises[sid].substitutes)
    return None


def select(slots: list[ProgramSlot], cat: Catalog, blocked: dict[str, str]) -> Selection:
    sel = Selection([], [], [])
    used: set[str] = set()
    for slot in slots:
        ex = cat.exercises[slot.exercise]
        if ex.id not in blocked and ex.id not in used:
            sel.picks.append(Pick(ex, slot.why))
            used.add(ex.id)
            continue
        reason = blocked.get(ex.id, "It is already in your program as a swap for another exercise.")
        sub = find_substitute(ex, cat, blocked, used)
        if sub is None:
            sel.excluded.append({"id": ex.id, "reason": reason})
            continue
        sel.substitutions.append({"from": ex.id, "to": sub.id, "reason": reason})
        why = f"{sub.summary} It takes the place of {ex.name.lower()}. {reason}"
        sel.picks.append(Pick(sub, why))
        used.add(sub.id)
    return sel
