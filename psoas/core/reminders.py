"""When a patient's session reminder email is due.

A patient in a clinic can ask for an email at a time of their choosing on the days their
plan has a session. The rule is kept here, apart from the clock, the time zones and the
mail: the shell (psoas/web/account/reminders.py) gives it the patient's local time.

A reminder is due once a day, from its time on, while the day's session is not done. A
sweep that was down at that time still sends it later the same day, up to LATE_BY after
the chosen time: a "time for your session" email at midnight helps no one.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

LATE_BY = timedelta(hours=6)  # the latest a reminder still goes out after its time


def reminder_due(now_local: datetime, at: time, last_sent: date | None) -> bool:
    """Whether a reminder set for `at` should go out now (the patient's local time), given
    the day it last went out. The caller checks that the day has a session not yet done."""
    day = now_local.date()
    if last_sent == day:
        return False
    chosen = datetime.combine(day, at, tzinfo=now_local.tzinfo)
    return chosen <= now_local < chosen + LATE_BY
