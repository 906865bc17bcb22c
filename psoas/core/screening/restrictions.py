"""What a profile rules out, as attribute rules, and the one function that applies them.

Rules come from content (conditions, limits, pregnancy) and from missing equipment. They
match movement attributes, never exercise ids, so a new exercise with the right attributes
is handled by every rule without a code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psoas.core.content.loader import Catalog
from psoas.core.content.models import Exercise, Rule

EQUIPMENT_NAMES = {
    "mat": "an exercise mat",
    "pad": "a knee pad",
    "chair": "a sturdy chair",
    "table": "a sturdy table or high bed",
    "stability_ball": "a stability ball",
    "foam_roller": "a foam roller",
    "ankle_weights": "ankle weights",
}


@dataclass(frozen=True)
class Restrictions:
    rules: tuple[Rule, ...]
    equipment: frozenset[str]
    conditions: frozenset[str]
    cap_stretch_intensity: bool
    hold_stretch_progression: bool
    favour_strength: bool
    skip_self_tests: frozenset[str]

    def reason_against(self, ex: Exercise) -> str | None:
        """Why this exercise may not be in this person's plan, or None if it may."""
        attrs = ex.attributes
        for rule in self.rules:
            if matches(attrs, rule.match):
                return rule.reason
        for cond in ex.contraindications:
            if cond in self.conditions:
                return f"Left out because of a condition you told us about ({cond})."
        for item in ex.equipment:
            if item not in self.equipment:
                return f"This needs {EQUIPMENT_NAMES[item]}, which you did not list."
        return None


def matches(attrs: dict[str, Any], match: dict[str, Any]) -> bool:
    for key, want in match.items():
        have = attrs[key]
        wanted = want if isinstance(want, list) else [want]
        if key == "equipment":
            if not any(w in have for w in wanted):
                return False
        elif have not in wanted:
            return False
    return True


def pregnancy_stage(profile: Any, cat: Catalog) -> str | None:
    """'early' (before the supine threshold), 'supine_limit', 'postpartum_gentle' or None."""
    preg = cat.pregnancy
    if profile.pregnancy_weeks is not None:
        return "supine_limit" if profile.pregnancy_weeks >= preg.supine_from_week else "early"
    if (
        profile.postpartum_weeks is not None
        and profile.postpartum_weeks < preg.postpartum_gentle_until_week
    ):
        return "postpartum_gentle"
    return None


def restrictions_for(profile: Any, cat: Catalog) -> Restrictions:
    rules: list[Rule] = []
    cap = hold = favour = False
    skip: set[str] = set()
    for cid in profile.conditions:
        cond = cat.conditions[cid]
        rules.extend(cond.forbids)
        m = cond.modifiers
        cap |= m.cap_stretch_intensity
        hold |= m.hold_stretch_progression
        favour |= m.favour_strength
        skip.update(m.skip_self_tests)
    for lid in profile.limits:
        rules.extend(cat.limits[lid].forbids)
    stage = pregnancy_stage(profile, cat)
    preg = cat.pregnancy
    if stage in ("early", "supine_limit"):
        rules.extend(preg.forbids_any_week)
        cap = hold = True
    if stage == "supine_limit":
        rules.extend(preg.forbids_from_supine_week)
        skip.add("modified_thomas_test")
    if stage == "postpartum_gentle":
        rules.extend(preg.postpartum_forbids)
        hold = True
    if "no_supine" in profile.limits:
        skip.add("modified_thomas_test")
    return Restrictions(
        rules=tuple(rules),
        equipment=frozenset(profile.equipment),
        conditions=frozenset(profile.conditions),
        cap_stretch_intensity=cap,
        hold_stretch_progression=hold,
        favour_strength=favour,
        skip_self_tests=frozenset(skip),
    )


def cautions_for(profile: Any, cat: Catalog) -> list[dict[str, str]]:
    """Messages the person must see with their plan (not reasons to refuse one)."""
    out: list[dict[str, str]] = []
    for cid in dict.fromkeys(profile.conditions):
        cond = cat.conditions[cid]
        if cond.caution:
            out.append({"id": f"condition_{cid}", "message": cond.caution})
    stage = pregnancy_stage(profile, cat)
    if stage in ("early", "supine_limit"):
        out.append({"id": "pregnancy", "message": cat.pregnancy.caution})
    elif profile.postpartum_weeks is not None and profile.postpartum_weeks < 12:
        out.append({"id": "postpartum", "message": cat.pregnancy.postpartum_caution})
    if profile.pain is not None and profile.pain.nprs >= cat.screening.pain_caution_at:
        out.append({"id": "high_pain", "message": cat.screening.pain_caution})
    return out
