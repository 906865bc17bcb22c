"""`psoas progress --json` over three years of daily records, computed in-process.

Seeds a fresh SQLite database (in a temporary folder) with a plan every six weeks, a
session with all its sets and a pain check-in every day for three years, then times the
progress computation (median of several runs). Target (issue 3): under 50 ms.
Prints `progress_ms: N ms`.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

RUNS = 7
DAYS = 3 * 365


@contextlib.contextmanager
def fresh_store() -> Iterator[Path]:
    """A new SQLite store in a temporary folder, set up for this process; its folder."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PSOAS_DATA_DIR"] = tmp
        os.environ.pop("PSOAS_DATABASE_URL", None)
        from psoas.web.bootstrap import setup

        setup()
        yield Path(tmp)


# A session every day (8 hours of sitting), the hip flexors tight (tests/test_pages_cache.py
# seeds it too).
PROFILE = {
    "schema": "psoas.profile/1",
    "age": 45,
    "sitting_hours_per_day": 8,
    "equipment": ["chair", "mat"],
    "pain": {"nprs": 6},
    "assessment": {"thomas_test": {"left": "positive"}, "hip_flexor_hold_s": {"left": 10}},
}


def log_block(person: object, plan: object, last: date) -> None:
    """Every day of a six-week plan up to `last`: a session done with all its sets (effort
    about right, pain 5 before and 4 after) and a pain check-in (6, 5, 4, 3, 2, 6...)."""
    from django.utils import timezone

    from psoas.web.outcomes.models import PainCheckin
    from psoas.web.tracking.models import SessionLog, SetLog
    from psoas.web.tracking.queries import planned_rows, session_on

    checkins, sets = [], []
    for offset in range(42):
        day = plan.start_date + timedelta(days=offset)
        if day > last:
            break
        info = session_on(plan, day)
        log = SessionLog.objects.create(
            person=person,
            plan=plan,
            date=day,
            week=info["week"],
            session_index=info.get("session_index", 0),
            status="completed",
            source="player",
            pain_before=5,
            pain_after=4,
            finished_at=timezone.now(),
        )
        sets += [
            SetLog(person=person, session=log, week=log.week, **r)
            for r in planned_rows(info["session"], effort="about_right")
        ]
        checkins.append(PainCheckin(person=person, date=day, nprs=6 - offset % 5))
    SetLog.objects.bulk_create(sets)
    PainCheckin.objects.bulk_create(checkins)


def seed(days: int = DAYS) -> object:
    """A plan every six weeks and a full session and a check-in every day for `days`."""
    from psoas.core.planning.planner import build_plan
    from psoas.core.profile import parse_profile
    from psoas.web.programs.services import local_person, save_plan, save_profile

    person = local_person()
    start = date.today() - timedelta(days=days)
    version = save_profile(person, PROFILE)
    plan_json = build_plan(parse_profile(PROFILE))
    day = start
    while day <= date.today():
        log_block(person, save_plan(person, version, plan_json, day), date.today())
        day += timedelta(days=42)
    return person


def main() -> None:
    with fresh_store():
        person = seed()
        from psoas.web.outcomes.progress import progress
        from psoas.web.tracking.models import SetLog

        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            progress(person, date.today())
            times.append(time.perf_counter() - t0)
        print(f"set_rows: {SetLog.objects.count()} rows")
        print(f"progress_ms: {1000 * statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main()
