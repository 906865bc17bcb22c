"""The alert rules over many patients, in memory: the pure part of the clinic's alert sweep.

Makes 1,000 patients with a year of history each (a plan of 3 sessions a week, sessions
done at varied rates with part of the sets, a pain report at each session and some
check-ins between, a weekly activity score, a warning-sign check before each session with
a rare yes), as the rows a store hands over. Times building each patient's `Records` from
those rows, `evaluate` and the worklist row, for all patients, best of 3 runs. Prints
`alert_rules_per_s: N patients/s`. The sweep with PostgreSQL (`alert_sweep_s`) is the
clinic bench's.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from psoas.core.alerts.records import (  # noqa: E402 (after the path)
    PainReport,
    PsfsResult,
    Records,
    ScreenAnswer,
    SessionRecord,
)
from psoas.core.alerts.rules import evaluate  # noqa: E402
from psoas.core.alerts.thresholds import Thresholds  # noqa: E402
from psoas.core.alerts.worklist import worklist_order, worklist_row  # noqa: E402
from psoas.core.content.loader import catalog  # noqa: E402

PATIENTS, DAYS, RUNS = 1000, 365, 3
TODAY = date(2026, 11, 1)
FLAGS = list(catalog().red_flags)


def patient(rng: random.Random) -> dict[str, Any]:
    """One patient's rows over the year to TODAY."""
    start = TODAY - timedelta(days=DAYS - 1)
    keen = rng.uniform(0.3, 1.0)  # how often a planned session is done
    pain = rng.randint(2, 7)
    rows: dict[str, Any] = {
        "pain_baseline": pain,
        "pain": [],
        "sessions": [],
        "psfs": [],
        "screens": [],
        "scheduled": [],
    }
    for i in range(DAYS):
        day, ref = start + timedelta(days=i), i  # one store row id per day is enough here
        if i % 7 in (0, 2, 4):
            rows["scheduled"].append(day)
            if rng.random() < keen:
                pain = min(10, max(0, pain + rng.choice((-1, 0, 0, 1))))
                flags = [rng.choice(FLAGS)] if rng.random() < 0.005 else []
                rows["screens"].append({"day": day, "red_flags": flags, "ref": ref})
                rows["pain"].append({"day": day, "nprs": pain, "ref": ref})
                stop = rng.random() < 0.02
                rows["sessions"].append(
                    {
                        "day": day,
                        "ref": ref,
                        "status": "stopped_for_pain" if stop else "completed",
                        "planned": 12,
                        "completed": rng.randint(4, 12),
                        "pain_stop": stop,
                    }
                )
        elif rng.random() < 0.2:
            rows["pain"].append({"day": day, "nprs": pain, "ref": ref, "seq": 1})
        if i % 7 == 6:
            score = min(10.0, max(0.0, 5 + rng.uniform(-3, 3)))
            rows["psfs"].append({"day": day, "score": round(score, 1), "ref": ref})
    return rows


def sweep(rows: list[dict[str, Any]], t: Thresholds) -> int:
    out = []
    for n, data in enumerate(rows):
        rec = Records(
            pain_baseline=data["pain_baseline"],
            pain=[PainReport(**r) for r in data["pain"]],
            sessions=[SessionRecord(**r) for r in data["sessions"]],
            psfs=[PsfsResult(**r) for r in data["psfs"]],
            screens=[ScreenAnswer(**r) for r in data["screens"]],
            scheduled=data["scheduled"],
        )
        alerts = evaluate(rec, t, TODAY)
        out.append(worklist_row(str(n), rec, alerts, t, TODAY))
    return len(worklist_order(out))


def main() -> None:
    rng = random.Random(12)
    rows = [patient(rng) for _ in range(PATIENTS)]
    t = Thresholds()
    best = float("inf")
    for _ in range(RUNS):
        t0 = time.perf_counter()
        assert sweep(rows, t) == PATIENTS
        best = min(best, time.perf_counter() - t0)
    print(f"alert_rules_per_s: {PATIENTS / best:.0f} patients/s")


if __name__ == "__main__":
    main()
