"""Which questionnaires to ask at a check-in (issue 3: weekly prompts).

NPRS at every check-in, because pain drives autoregulation; the PSFS once a week counted
from the baseline day, because its detectable change (2 points) needs weeks, not days, and
asking it daily would wear people out. A questionnaire with an interval of n days is due
once in each n-day period after the baseline: at the first check-in of the period, so a
missed week is asked once, not twice. A clinic adding a licensed questionnaire passes its
own intervals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

EVERY_CHECK_IN = 0
PROMPT_INTERVAL_DAYS: Mapping[str, int] = {"nprs": EVERY_CHECK_IN, "psfs": 7}


def due_questionnaires(
    today: date,
    baseline: date,
    last_answered: Mapping[str, date],
    intervals: Mapping[str, int] = PROMPT_INTERVAL_DAYS,
) -> tuple[str, ...]:
    """Ids of the questionnaires due today, in the order of `intervals`.

    `baseline` is the day of the first answers; `last_answered` holds the last day each
    questionnaire was answered (none yet: it is due).
    """
    if today < baseline:
        raise ValueError(f"today ({today}) is before the baseline ({baseline})")
    due = []
    for qid, days in intervals.items():
        if days < 0:
            raise ValueError(f"interval for {qid} must be 0 (every check-in) or more days")
        last = last_answered.get(qid)
        if days == EVERY_CHECK_IN or last is None:
            due.append(qid)
            continue
        period_start = baseline + timedelta(days=days * ((today - baseline).days // days))
        if last < period_start:
            due.append(qid)
    return tuple(due)
