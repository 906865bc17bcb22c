"""What a profile rules out, as attribute rules, and the one function that applies them.

Rules come from content (conditions, limits, pregnancy, steadiness) and from missing
equipment. They match movement attributes, never exercise ids, so a new exercise with the
right attributes is handled by every rule without a code change.

Time moves the rules: `restrictions_for(profile, cat, weeks_on)` gives the rules of the
person's situation `weeks_on` weeks after the profile was given. Pregnancy and the weeks
since a birth count on, and a condition that ends (a hip replacement's 12 weeks) lifts in
the week it ends. The planner asks once per plan week; the day's session asks for its day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psoas.core.content.loader import Catalog
from psoas.core.content.models import Exercise, Note, Rule

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
    conditions: frozenset[str]  # the conditions in force (a lifted one is left out)
    cap_stretch_intensity: bool
    hold_stretch_progression: bool
    favour_strength: bool
    skip_self_tests: frozenset[str]
    notes: tuple[Note, ...] = ()
    no_added_weight: bool = False
    stage: str | None = None  # pregnancy_stage() in this week
    # Where each rule and note came from, in their order: the rule ids a plan check names
    # (`condition.<id>`, `limit.<id>`, `pregnancy`, `pregnancy.supine`, `postpartum`,
    # `steadiness`, `steadiness.poor_balance`), so a clinician's override can name one.
    sources: tuple[str, ...] = ()
    note_sources: tuple[str, ...] = ()

    def notes_for(self, ex: Exercise) -> list[str]:
        """How this person must do an exercise they may do (a knee lift only half way up)."""
        return [n.note for n in self.notes if matches(ex.attributes, n.match)]

    def reason_against(self, ex: Exercise, rules: bool = True) -> str | None:
        """Why this exercise may not be in this person's plan, or None if it may.
        `rules=False` skips the attribute rules (a caller that has matched them already)."""
        attrs = ex.attributes
        for rule in self.rules if rules else ():
            if matches(attrs, rule.match):
                return rule.reason
        for cond in ex.contraindications:
            if cond in self.conditions:
                return f"Left out because of a condition you told us about ({cond})."
        for item in ex.equipment:
            if item not in self.equipment:
                return f"This needs {EQUIPMENT_NAMES[item]}, which you did not list."
        return None

    def breaches(self, ex: Exercise) -> list[tuple[str, str]]:
        """Every rule this exercise breaks, as (rule id, reason), each id once: all of them,
        not only the first, so a check names each rule a clinician would have to answer."""
        out: dict[str, str] = {}
        for source, rule in zip(self.sources, self.rules, strict=True):
            if source not in out and matches(ex.attributes, rule.match):
                out[source] = rule.reason
        for cond in ex.contraindications:
            if cond in self.conditions:
                out.setdefault(
                    f"contraindication.{cond}",
                    f"Left out because of a condition you told us about ({cond}).",
                )
        missing = [EQUIPMENT_NAMES[item] for item in ex.equipment if item not in self.equipment]
        if missing:
            out["equipment"] = f"This needs {' and '.join(missing)}, which you did not list."
        return list(out.items())

    def notes_with_sources(self, ex: Exercise) -> list[tuple[str, str]]:
        """(rule id, note) for each note on how this person must do an exercise."""
        return [
            (source, n.note)
            for source, n in zip(self.note_sources, self.notes, strict=True)
            if matches(ex.attributes, n.match)
        ]


def matches(attrs: dict[str, Any], match: dict[str, Any]) -> bool:
    for key, want in match.items():
        have = attrs[key]
        wanted = want if isinstance(want, list) else [want]
        if key in ("equipment", "targets"):
            if not any(w in have for w in wanted):
                return False
        elif have not in wanted:
            return False
    return True


def pregnancy_stage(profile: Any, cat: Catalog, weeks_on: int = 0) -> str | None:
    """'early' (before the supine threshold), 'supine_limit', 'postpartum_gentle' or None,
    `weeks_on` weeks after the profile was given."""
    preg = cat.pregnancy
    if profile.pregnancy_weeks is not None:
        week = profile.pregnancy_weeks + weeks_on
        return "supine_limit" if week >= preg.supine_from_week else "early"
    if (
        profile.postpartum_weeks is not None
        and profile.postpartum_weeks + weeks_on < preg.postpartum_gentle_until_week
    ):
        return "postpartum_gentle"
    return None


def active_conditions(profile: Any, cat: Catalog, weeks_on: int = 0) -> list[str]:
    """The person's conditions still in force `weeks_on` weeks on: one that ends lifts in
    the week its weeks since (a profile field) reach its limit; unknown weeks, it lasts."""
    out = []
    for cid in dict.fromkeys(profile.conditions):
        cond = cat.conditions[cid]
        since = getattr(profile, cond.weeks_field) if cond.weeks_field else None
        if since is not None and since + weeks_on >= cond.lifts_after_weeks:  # type: ignore[operator]
            continue
        out.append(cid)
    return out


def needs_support(profile: Any, cat: Catalog) -> bool:
    """Unsteady, or with a condition where a fall does harm: supported variants. The
    balance answer decides; when it is not known, age does (PRODUCT.md profile contract)."""
    steady = cat.steadiness
    balance = getattr(profile, "balance", None)
    older = profile.age is not None and profile.age >= steady.older_from_age
    return (
        balance == "poor"
        or (balance is None and older)
        or any(c in profile.conditions for c in steady.with_conditions)
    )


def restrictions_for(profile: Any, cat: Catalog, weeks_on: int = 0) -> Restrictions:
    rules: list[tuple[str, Rule]] = []  # (source, rule)
    notes: list[tuple[str, Note]] = []
    cap = hold = favour = no_weight = False
    skip: set[str] = set()
    conditions = active_conditions(profile, cat, weeks_on)
    for cid in conditions:
        cond = cat.conditions[cid]
        rules += [(f"condition.{cid}", r) for r in cond.forbids]
        notes += [(f"condition.{cid}", n) for n in cond.notes]
        m = cond.modifiers
        cap |= m.cap_stretch_intensity
        hold |= m.hold_stretch_progression
        favour |= m.favour_strength
        no_weight |= m.no_added_weight
    # The self-tests are done once, on the day of the profile: what rules them out then counts.
    for cid in profile.conditions:
        skip.update(cat.conditions[cid].modifiers.skip_self_tests)
    for lid in profile.limits:
        rules += [(f"limit.{lid}", r) for r in cat.limits[lid].forbids]
    if needs_support(profile, cat):
        rules += [("steadiness", r) for r in cat.steadiness.forbids]
    if getattr(profile, "balance", None) == "poor":
        rules += [("steadiness.poor_balance", r) for r in cat.steadiness.poor_balance_forbids]
    if pregnancy_stage(profile, cat) == "supine_limit":
        skip.add("modified_thomas_test")
    stage = pregnancy_stage(profile, cat, weeks_on)
    preg = cat.pregnancy
    if stage in ("early", "supine_limit"):
        rules += [("pregnancy", r) for r in preg.forbids_any_week]
        cap = hold = True
    if stage == "supine_limit":
        rules += [("pregnancy.supine", r) for r in preg.forbids_from_supine_week]
    if stage == "postpartum_gentle":
        rules += [("postpartum", r) for r in preg.postpartum_forbids]
        hold = no_weight = True
    if "no_supine" in profile.limits:
        skip.add("modified_thomas_test")
    return Restrictions(
        rules=tuple(r for _, r in rules),
        equipment=frozenset(profile.equipment),
        conditions=frozenset(conditions),
        cap_stretch_intensity=cap,
        hold_stretch_progression=hold,
        favour_strength=favour,
        skip_self_tests=frozenset(skip),
        notes=tuple(n for _, n in notes),
        no_added_weight=no_weight,
        stage=stage,
        sources=tuple(s for s, _ in rules),
        note_sources=tuple(s for s, _ in notes),
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
