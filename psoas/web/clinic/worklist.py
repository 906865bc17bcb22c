"""The clinician's worklist: the patients they may see, most need first, each with the
figures the alert evaluation kept (`WorklistEntry`) and their open alerts read live.

A fixed number of queries whatever the number of patients: the count, one page of
patients with their kept figures in the order kept with them (`need_key`, the core's
`worklist_order` as text, so the database sorts and pages), that page's open alerts, plus
the page's own (the login, the memberships). Each row's words are made here so the
template only shows them. An alert counts as open until a clinician resolves it
(acknowledged ones stay on the list, marked so).

The list a clinician sees is drawn once per state of the rows it is made of
(`per_list_revision`), not on every visit: with twenty clinicians looking at a thousand
patients, drawing it each time made the page many times slower than the frame around it.
What the list shows comes only from the kept figures, the alerts, the patients and their
care teams, the clinics, the staff's roles, the clinicians' emails and the review date
on each program in force (the plans' table); a session, a
check-in or a score changes it through the evaluation that rewrites the patient's figures
(alerts.py). The revision is each of those tables' row count with the sum of its rows'
PostgreSQL transaction ids (`xmin`): every insert, update or delete changes it, whoever
writes, so nothing has to remember to clear the cache and several server processes each
keep their own, all correct. It is read before the list, so a write in between makes a
newer list, never a staler one. The key holds the user's id, the day and what they asked
(search, filter, page): one clinician's list is never another's.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from psoas.core.alerts.rules import ACTION, RED_RULES, urgency
from psoas.core.alerts.worklist import Trend, WorklistRow, need
from psoas.web.programs.models import Plan

PAGE_SIZE = 50
RULE_NAMES = {
    "red_flag": "Red flag",
    "pregnancy_warning_sign": "Pregnancy warning sign",
    "pain_stop": "Stopped for pain",
    "pain_rise": "Pain up",
    "psfs_worse": "Activity score down",
    "no_session": "No session",
    "low_completion": "Low completion",
}


@dataclass(frozen=True)
class Line:
    """One patient on the page."""

    public_id: str
    clinician: str
    row: WorklistRow
    as_of: date | None  # when the figures were worked out; None: not yet
    review: date | None = None  # the review date set on the program in force, if any

    @property
    def review_due(self) -> bool:
        return self.review is not None and self.review <= timezone.localdate()

    @property
    def alerts(self) -> list[dict[str, Any]]:
        return [alert_words(a) for a in self.row.alerts]

    @property
    def adherence(self) -> str:
        def pct(x: float | None) -> str:
            return "nothing due" if x is None else f"{round(100 * x)} %"

        return f"{pct(self.row.adherence_7)} in 7 days, {pct(self.row.adherence_28)} in 28 days"

    @property
    def pain(self) -> str:
        return trend_words(self.row.pain, "/10", "No pain given yet")

    @property
    def psfs(self) -> str:
        return trend_words(self.row.psfs, "", "No activity score yet")

    @property
    def last_activity(self) -> date | None:
        return self.row.last_activity


def alert_words(a: Any) -> dict[str, Any]:
    red = a.rule in RED_RULES
    return {
        "public_id": getattr(a, "public_id", ""),
        "name": RULE_NAMES.get(a.rule, a.rule),
        "red": red,
        "severity": a.severity,
        "action": ACTION.get(a.level or "", "") if red else "",
        "acknowledged": getattr(a, "status", "open") == "acknowledged",
        "fired_on": a.fired_on,
        "message": getattr(a, "message", ""),
    }


def trend_words(t: Trend | None, unit: str, none: str) -> str:
    if t is None:
        return none
    start = f"{t.latest:g}{unit}, baseline {t.baseline:g}{unit}"
    if t.direction == "same":
        return f"{start}: no change"
    if t.meaningful:
        return f"{start}: {t.direction} by {abs(t.points):g}, a real change"
    mc = f" ({t.minimal_change:g} points)" if t.minimal_change else ""
    return f"{start}: {t.direction} by {abs(t.points):g}, less than a real change{mc}"


def _trend(data: dict[str, Any] | None) -> Trend | None:
    if not data:
        return None
    day = data.get("latest_day")
    return Trend(**{**data, "latest_day": date.fromisoformat(day) if day else None})


def _row(public_id: str, figures: dict[str, Any] | None, alerts: list[Any]) -> WorklistRow:
    f = figures or {}
    last = f.get("last_activity")
    return WorklistRow(
        patient=public_id,
        alerts=tuple(sorted(alerts, key=urgency)),
        adherence_7=f.get("adherence_7"),
        adherence_28=f.get("adherence_28"),
        pain=_trend(f.get("pain")),
        psfs=_trend(f.get("psfs")),
        last_activity=date.fromisoformat(last) if last else None,
        low_adherence=bool(f.get("low_adherence")),
    )


def open_alerts(person_ids: list[int] | None = None) -> Any:
    """Open and acknowledged alerts in the request's scope (the guard filters them)."""
    from psoas.web.clinic.models import Alert

    rows = Alert.objects.exclude(status=Alert.Status.RESOLVED)
    if person_ids is not None:
        rows = rows.filter(person_id__in=person_ids)
    return rows.only(
        "person_id", "public_id", "key", "rule", "severity", "level", "fired_on", "status",
        "message",
    )  # fmt: skip


def need_key(row: WorklistRow) -> str:
    """The core's sort key (`need`) as text that sorts the same way: one digit per level,
    the share with six decimals, the day in ISO form, then the patient's id."""
    red, other, not_worse, not_low, share, last, patient = need(row)
    return f"{red}{other}{int(not_worse)}{int(not_low)}{share:.6f}{last.isoformat()}|{patient}"


def page(patients: Any, number: Any, *, search: str = "", alerts_only: bool = False) -> Any:
    """One page of `patients` (a scoped queryset), most need first, each as a `Line`;
    patients not evaluated yet come last."""
    from psoas.web.clinic.models import Patient

    # The scope's query joins the care teams and so needs DISTINCT, which would sort every
    # patient's row with its figures; as a subquery of ids it leaves the outer query free
    # to read the page in the index's order.
    rows = Patient.objects.filter(pk__in=patients.values("pk"))
    if search:
        rows = rows.filter(public_id__istartswith=search)
    if alerts_only:
        rows = rows.filter(person__worklist_entry__has_alerts=True)
    rows = rows.order_by(F("person__worklist_entry__need").asc(nulls_last=True), "public_id")
    # the review date of the program in force (rows already in the scope: no guard here)
    review = Plan._base_manager.filter(person_id=OuterRef("person_id"), active=True)
    rows = rows.annotate(review=Subquery(review.values("data__review_date")[:1]))
    found = Paginator(
        rows.values_list(
            "person_id",
            "public_id",
            "primary_clinician__email",
            "person__worklist_entry__figures",
            "person__worklist_entry__as_of",
            "review",
        ),
        PAGE_SIZE,
    ).get_page(number)
    by_person: dict[int, list[Any]] = defaultdict(list)
    if found.object_list:
        for a in open_alerts([p[0] for p in found.object_list]):
            by_person[a.person_id].append(a)
    found.object_list = [
        Line(
            public_id,
            email or "",
            _row(public_id, figures, by_person[pid]),
            as_of,
            date.fromisoformat(review) if review else None,
        )
        for pid, public_id, email, figures, as_of, review in found.object_list
    ]
    return found


# --- the list kept per state of its rows -----------------------------------------------------

LIFETIME_S = 600


def _list_tables() -> list[str]:
    from psoas.web.clinic.models import Alert, Clinic, Membership, Patient, WorklistEntry

    models = (WorklistEntry, Alert, Patient, Patient.other_clinicians.through, Membership, Clinic)
    models += (Plan,)  # a program's review date
    return [m._meta.db_table for m in (*models, get_user_model())]


def list_revision() -> str:
    """The state of every row the worklist is made of, in one query (see the module)."""
    parts = [
        f"(SELECT count(*)::text || ':' || coalesce(sum(xmin::text::bigint), 0) FROM {t})"
        for t in _list_tables()
    ]
    with connection.cursor() as cur:
        cur.execute("SELECT " + " || '|' || ".join(parts))
        text = cur.fetchone()[0]
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def per_list_revision(user_id: int, asked: tuple, compute: Callable[[], str]) -> str:
    """`compute()` (the list as drawn for this user and what they asked) once per state of
    the list's rows and day; later visits get the kept one."""
    what = hashlib.blake2b(repr(asked).encode(), digest_size=8).hexdigest()
    day = timezone.localdate().isoformat()
    key = f"psoas:worklist:{user_id}:{day}:{list_revision()}:{what}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, LIFETIME_S)
    return found
