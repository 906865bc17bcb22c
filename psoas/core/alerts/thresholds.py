"""Per-clinic alert thresholds, with defaults from the anchors and the clinical sources.

Sources (research/clinic.md 2.1-2.6; research/clinical.md 6.1, 6.4) and the choice made
where they differ, in the safer direction unless the issue fixes the figure:

- Pain rise, 2 points: the NPRS minimal important change (Ostelo 2008, the content's
  `nprs.yaml`); MedBridge Pathways raises a "high" pain alert at 2 points up since the last
  report. Issue 12 asks for 2 reports in a row: the program already holds progression on a
  single rise (autoregulation), so the clinician is called when it lasts. A clinic that
  wants MedBridge's single report sets `pain_rise_reports` to 1.
- No session, 7 days: issue 12. MedBridge counts app log-ins, not sessions: "low
  engagement" after 49 hours, "stalled" after 14 days. 49 hours would fire between planned
  sessions (the plan has rest days), so 7 days is the low alert and MedBridge's 14 days
  raises it to high.
- Activity score (PSFS) worse by 2 points: the PSFS's smallest real change for the mean
  (Stratford 1995, the content's `psfs.yaml`); no MCID for the PSFS is in the sources.
  MedBridge's "critical" function alert is a 20 % fall against the last report; the rule
  therefore compares with the better of the baseline and the last score before the fall,
  not with the baseline alone.
- Completion under 50 % over 14 days: issue 12. Anchors: OpenTeleRehab shows the share of
  activities done over the last 3 plan days; MedBridge's remote-monitoring flag is 16 of 30
  days (53 %), a count of active days, not of planned work.
- Pain stop during a session and a red flag or pregnancy warning sign answered yes have no
  threshold: Physitrack alerts at once on the highest pain level, and every red flag refers
  on its own (PRODUCT.md). They cannot be switched off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from psoas.core.content.questionnaires import questionnaires


def _minimal_change(qid: str) -> float:
    mc = questionnaires()[qid].minimal_change
    assert mc is not None and mc.points is not None, f"{qid}.yaml has no minimal change"
    return mc.points


class Thresholds(BaseModel):
    """Making a threshold stricter (a higher rise, more reports, more days, a bigger fall,
    a lower completion) never adds an alert."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pain_rise_points: int = Field(
        default_factory=lambda: round(_minimal_change("nprs")), ge=1, le=10
    )
    pain_rise_reports: int = Field(default=2, ge=1, le=10)
    no_session_days: int = Field(default=7, ge=2, le=90)
    no_session_high_days: int = Field(default=14, ge=2, le=180)
    psfs_drop_points: float = Field(default_factory=lambda: _minimal_change("psfs"), ge=0.5, le=10)
    completion_below_pct: int = Field(default=50, ge=1, le=100)
    completion_days: int = Field(default=14, ge=7, le=56)

    @model_validator(mode="after")
    def _high_after_low(self) -> Thresholds:
        if self.no_session_high_days < self.no_session_days:
            raise ValueError(
                f"no_session_high_days must be at least no_session_days "
                f"({self.no_session_days}), not {self.no_session_high_days}"
            )
        return self


class ThresholdsError(ValueError):
    """A one-line message that names the field and what it allows."""


def allowed(name: str) -> str:
    """What a field takes, in words: "a whole number from 1 to 10"."""
    f = Thresholds.model_fields[name]
    lo = next(m.ge for m in f.metadata if getattr(m, "ge", None) is not None)
    hi = next(m.le for m in f.metadata if getattr(m, "le", None) is not None)
    kind = "a whole number" if f.annotation is int else "a number"
    return f"{kind} from {lo:g} to {hi:g}"


def parse_thresholds(data: Mapping[str, Any]) -> Thresholds:
    """Validate a clinic's settings (missing fields take the defaults)."""
    try:
        return Thresholds.model_validate(dict(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            fields = ", ".join(Thresholds.model_fields)
            raise ThresholdsError(
                f"thresholds: unknown field '{name}'; fields are {fields}"
            ) from None
        if name in Thresholds.model_fields:
            raise ThresholdsError(
                f"thresholds: {name} must be {allowed(name)} (got {err.get('input')!r})"
            ) from None
        raise ThresholdsError(f"thresholds: {err['msg'].removeprefix('Value error, ')}") from None
