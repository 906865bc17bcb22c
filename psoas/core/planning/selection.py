"""Choose the exercises for a program, swapping or dropping any that are not safe or possible.

This is where a kneeling lunge becomes a standing one: the limit or condition rule says
*why* the kneeling stretch is out (screening/restrictions.py), and the exercise's own
`substitutes` list in its YAML says *what* takes its place. A swap never brings in a
second exercise of a family the session already holds (two lunge-type stretches, two knee
lifts): that slot is dropped instead and its time goes to the rest. Every swap and every
drop is recorded with its reason so the person can see it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from psoas.core.content.loader import Catalog
from psoas.core.content.models import Exercise, ProgramSlot
from psoas.core.screening.restrictions import Restrictions, matches

MAX_SUBSTITUTE_DEPTH = 2


@dataclass(frozen=True)
class Pick:
    exercise: Exercise
    why: str
    slot: str  # the program slot's own exercise id: the key that stays across weeks
    swapped: bool = False  # a substitute in the slot
    filler: bool = False  # the stretch-day filler, which keeps to its own standing stretch


@dataclass
class Selection:
    picks: list[Pick]
    excluded: list[dict[str, str]]
    substitutions: list[dict[str, str]]


_BY_RULES: dict[tuple, tuple] = {}
_CACHE_MAX = 4096


def _rule_reasons(cat: Catalog, rules: tuple) -> dict[str, str]:
    """Exercise id -> the first rule's reason against it. Many people share a rule set, so
    the answer is kept per catalog and rules (the catalog's own objects: their identity
    names them, and the entry keeps them alive so it stays theirs)."""
    key = (id(cat), tuple(map(id, rules)))
    hit = _BY_RULES.get(key)
    if hit is None:
        out = {}
        for ex in cat.exercises.values():
            for rule in rules:
                if matches(ex.attributes, rule.match):
                    out[ex.id] = rule.reason
                    break
        if len(_BY_RULES) >= _CACHE_MAX:
            _BY_RULES.clear()
        hit = _BY_RULES[key] = (out, cat, rules)
    return hit[0]


def blocked_reasons(cat: Catalog, restrictions: Restrictions) -> dict[str, str]:
    """Exercise id -> why it is out, for every exercise this person may not do: the same
    answers, in the same order, as `Restrictions.reason_against`."""
    out = dict(_rule_reasons(cat, restrictions.rules))
    for ex in cat.exercises.values():
        if ex.id not in out:
            reason = restrictions.reason_against(ex, rules=False)
            if reason is not None:
                out[ex.id] = reason
    return out


def can_pick(ex: Exercise, blocked: dict[str, str], used: set[str], families: set[str]) -> bool:
    """Safe, not in the program already, no twin in the session, and picked by plans."""
    return (
        ex.id not in blocked
        and ex.id not in used
        and ex.family not in families
        and ex.library_note is None
    )


def find_substitute(
    ex: Exercise,
    cat: Catalog,
    blocked: dict[str, str],
    used: set[str],
    families: set[str] = frozenset(),  # type: ignore[assignment]
) -> Exercise | None:
    """Breadth-first over the exercise's substitutes (and theirs), first that fits wins."""
    queue = deque((s, 1) for s in ex.substitutes)
    seen = {ex.id}
    while queue:
        sid, depth = queue.popleft()
        if sid in seen:
            continue
        seen.add(sid)
        sub = cat.exercises[sid]
        if can_pick(sub, blocked, used, families):
            return sub
        if depth < MAX_SUBSTITUTE_DEPTH:
            queue.extend((s, depth + 1) for s in sub.substitutes)
    return None


def select(
    slots: list[ProgramSlot],
    cat: Catalog,
    blocked: dict[str, str],
    taken: frozenset[str] = frozenset(),
) -> Selection:
    """Pick each slot's exercise or a swap. `taken` are ids that other slots of the same plan
    hold in other weeks: an exercise belongs to one slot only, so its records stay its own."""
    sel = Selection([], [], [])
    used: set[str] = set(taken)
    families: set[str] = set()
    for slot in slots:
        ex = cat.exercises[slot.exercise]
        if can_pick(ex, blocked, used, families):
            sel.picks.append(Pick(ex, slot.why, ex.id))
            used.add(ex.id)
            families.add(ex.family)
            continue
        if ex.id in blocked:
            reason = blocked[ex.id]
        elif ex.family in families:
            twin = next(p.exercise for p in sel.picks if p.exercise.family == ex.family)
            reason = f"Your session already has {twin.name.lower()}, which does the same job."
        else:
            reason = "It is already in your program as a swap for another exercise."
        sub = find_substitute(ex, cat, blocked, used, families)
        if sub is None:
            sel.excluded.append({"id": ex.id, "reason": reason})
            continue
        sel.substitutions.append({"from": ex.id, "to": sub.id, "reason": reason})
        why = f"{sub.summary} It takes the place of {ex.name.lower()}. {reason}"
        sel.picks.append(Pick(sub, why, sub.id, swapped=True))
        used.add(sub.id)
        families.add(sub.family)
    return sel
