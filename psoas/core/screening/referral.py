"""Red flags decide whether a program may be made at all (PRODUCT.md safety rules).

Every red-flag id in a profile refers on its own; weak risk factors (age, a past cancer)
are not red flags themselves but make the screen ask a follow-up question whose "yes" is
one. The highest action level answered picks the message: emergency, urgent or routine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psoas.core.content.loader import Catalog

LEVEL_ORDER = {"emergency": 0, "urgent": 1, "routine": 2}


@dataclass(frozen=True)
class Referral:
    level: str
    title: str
    message: str
    reasons: tuple[dict[str, str], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "title": self.title,
            "message": self.message,
            "reasons": [dict(r) for r in self.reasons],
        }


def referral_for(profile: Any, cat: Catalog) -> Referral | None:
    flags = cat.red_flags
    reasons = [
        {"id": f.id, "level": f.level, "question": f.question, "why": f.why}
        for fid in dict.fromkeys(profile.red_flags)
        for f in [flags[fid]]
    ]
    if profile.age is not None and profile.age < cat.screening.min_age:
        reasons.append(
            {
                "id": "under_minimum_age",
                "level": "routine",
                "question": f"Age {profile.age}",
                "why": cat.screening.min_age_message,
            }
        )
    if not reasons:
        return None
    reasons.sort(key=lambda r: LEVEL_ORDER[r["level"]])
    level = reasons[0]["level"]
    msg = next(m for m in cat.screening.referral_messages if m.level == level)
    return Referral(level, msg.title, msg.message, tuple(reasons))


def questions_to_ask(profile: Any, cat: Catalog, *, every_session_only: bool = False) -> list:
    """The red-flag questions that apply to this person, in catalog order.

    Follow-up questions are asked only where their risk factor is present (age 50 or
    over, a past cancer, pregnancy, a recent birth, surgery in the last 12 weeks).
    """
    age = profile.age
    present = {
        "always": True,
        "age_50_plus": age is not None and age >= 50,
        "had_cancer": "cancer" in profile.conditions,
        "pregnant": profile.pregnancy_weeks is not None,
        "postpartum": profile.postpartum_weeks is not None,
        "recent_surgery": "recent_surgery" in profile.conditions,
    }
    return [
        f
        for f in cat.screening.red_flags
        if present[f.ask_when] and (f.every_session or not every_session_only)
    ]
