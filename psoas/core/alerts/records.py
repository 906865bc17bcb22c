"""What the alert rules read about one patient: plain rows the store fills cheaply.

Each list maps onto rows the store already keeps, with no derived state:

- `pain`: `PainCheckin` rows (`date`, `nprs`), the series the progress page charts;
  `pain_baseline` is the profile's `pain.nprs` when given (else the first report is the
  baseline, as `psoas.web.outcomes.progress` does).
- `sessions`: `SessionLog` rows with their `status` as stored, the sets planned in the
  session as started and the sets done, and whether the session or one of its sets was
  stopped for pain (`SetLog` status `stopped_for_pain`).
- `psfs`: `QuestionnaireResponse` rows of the PSFS with their score (the mean, 0-10); the
  first is the baseline, as on the progress page.
- `screens`: the warning-sign checks before sessions and at check-ins (`PainCheckin.red_flags`),
  with the ids answered yes. The ids are the catalog's red flags; their action level and
  group (pregnancy or not) come from the catalog, never from here.
- `scheduled`: the plan's `ScheduledSession` dates.

`seq` orders rows of the same day (the store's row id does); `ref` is the store's id of the
row, handed back in an alert's evidence so the store can link to it. Row order in the lists
does not matter: the rules sort.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from psoas.core.content.loader import catalog

SessionStatus = Literal["in_progress", "completed", "stopped_for_pain", "quit", "interrupted"]
DONE_STATUSES = ("completed", "stopped_for_pain")  # as adherence counts them (progress.DONE)
Ref = int | str | None


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    day: date
    seq: int = 0  # order within the day
    ref: Ref = None  # the store's row id


class PainReport(_Row):
    nprs: int = Field(ge=0, le=10)


class SessionRecord(_Row):
    status: SessionStatus
    planned: int = Field(default=0, ge=0)  # sets planned; 0: not known, counts as all done
    completed: int = Field(default=0, ge=0)  # sets done
    pain_stop: bool = False  # the session, or one of its sets, was stopped for pain

    @model_validator(mode="after")
    def _completed_within_planned(self) -> SessionRecord:
        if self.planned and self.completed > self.planned:
            raise ValueError(
                f"completed ({self.completed}) must be from 0 to planned ({self.planned})"
            )
        return self

    @property
    def done(self) -> bool:
        """Counts as a session done (adherence, "no session")."""
        return self.status in DONE_STATUSES

    @property
    def stopped_for_pain(self) -> bool:
        return self.pain_stop or self.status == "stopped_for_pain"

    @property
    def completion(self) -> float:
        """Share of the planned sets done, 0 to 1."""
        return self.completed / self.planned if self.planned else 1.0


class PsfsResult(_Row):
    score: float = Field(ge=0, le=10)  # the mean of the activity ratings


class ScreenAnswer(_Row):
    red_flags: tuple[str, ...] = ()  # ids answered yes; empty: "none of these"

    @field_validator("red_flags")
    @classmethod
    def _known_ids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        known = catalog().red_flags
        for i in ids:
            if i not in known:
                raise ValueError(f"unknown red flag id {i!r}; the ids are listed in docs/ids.md")
        return tuple(sorted(set(ids)))


class Records(BaseModel):
    """One patient's records up to some day; the rules ignore rows after `today`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pain_baseline: int | None = Field(default=None, ge=0, le=10)
    pain: tuple[PainReport, ...] = ()
    sessions: tuple[SessionRecord, ...] = ()
    psfs: tuple[PsfsResult, ...] = ()
    screens: tuple[ScreenAnswer, ...] = ()
    scheduled: tuple[date, ...] = ()


def _ref(x: Ref) -> str:
    return "" if x is None else f"{type(x).__name__}:{x}"


@dataclass(frozen=True)
class AsOf:
    """The records up to a day, each list sorted by day, `seq`, then every other field, so
    that the rules read the same rows in the same order whatever order they came in."""

    pain: list[PainReport]
    sessions: list[SessionRecord]
    psfs: list[PsfsResult]
    screens: list[ScreenAnswer]
    scheduled: list[date]
    done: list[date]  # the day of each session done, in step with `sessions_done`
    sessions_done: list[SessionRecord]

    @classmethod
    def of(cls, rec: Records, today: date) -> AsOf:
        def upto(rows: Iterable[Any], key: Callable[[Any], tuple]) -> list[Any]:
            return sorted((x for x in rows if x.day <= today), key=key)

        sessions = upto(
            rec.sessions,
            lambda s: (s.day, s.seq, s.status, s.planned, s.completed, s.pain_stop, _ref(s.ref)),
        )
        done = [s for s in sessions if s.done]
        return cls(
            pain=upto(rec.pain, lambda p: (p.day, p.seq, p.nprs, _ref(p.ref))),
            sessions=sessions,
            psfs=upto(rec.psfs, lambda p: (p.day, p.seq, p.score, _ref(p.ref))),
            screens=upto(rec.screens, lambda s: (s.day, s.seq, s.red_flags, _ref(s.ref))),
            scheduled=sorted(d for d in rec.scheduled if d <= today),
            done=[s.day for s in done],
            sessions_done=done,
        )
