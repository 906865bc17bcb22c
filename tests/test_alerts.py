"""The clinic's alert rules and worklist (issue 12, psoas/core/alerts): each rule just
below, at and above its threshold, episodes and their keys, the records' and thresholds'
messages, the worklist figures and order; then properties over generated histories
(Hypothesis): every alert rests on evidence found in the records (checked by oracles
written here, not by the rules' own helpers), stricter thresholds never add an alert,
evaluation does not depend on row order, keys stay put as days are added, and a red flag
always tops the worklist.
"""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psoas.core.alerts.records import (
    PainReport,
    PsfsResult,
    Records,
    ScreenAnswer,
    SessionRecord,
)
from psoas.core.alerts.rules import (
    RECENT_DAYS,
    RED_RULES,
    RULES,
    Alert,
    evaluate,
)
from psoas.core.alerts.thresholds import Thresholds, ThresholdsError, allowed, parse_thresholds
from psoas.core.alerts.worklist import WorklistRow, worklist_order, worklist_row
from psoas.core.content.loader import catalog
from psoas.core.content.questionnaires import questionnaires
from psoas.core.screening.referral import LEVEL_ORDER

D0 = date(2026, 3, 2)  # a Monday
T = Thresholds()
FLAGS = catalog().red_flags
SAFETY = settings.get_profile("safety")


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def pains(*values: int, start: int = 0) -> tuple[PainReport, ...]:
    return tuple(PainReport(day=day(start + i), nprs=v, ref=i) for i, v in enumerate(values))


def scores(*values: float, every: int = 7) -> tuple[PsfsResult, ...]:
    return tuple(PsfsResult(day=day(every * i), score=v, ref=i) for i, v in enumerate(values))


def done(n: int, **kw: object) -> SessionRecord:
    return SessionRecord(
        day=day(n), status=kw.pop("status", "completed"), planned=10, completed=10, **kw
    )


def rules(alerts: list[Alert]) -> list[str]:
    return [a.rule for a in alerts]


def of_rule(alerts: list[Alert], rule: str) -> list[Alert]:
    return [a for a in alerts if a.rule == rule]


# --- pain up ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "fires"),
    [
        ((4, 4), False),  # 1 point up: below
        ((5, 5), True),  # 2 points: at
        ((6, 7), True),  # above
        ((5, 4), False),  # up on one report only
        ((5,), False),
    ],
)
def test_pain_rise_two_reports_in_a_row_against_the_baseline(values, fires):
    rec = Records(pain_baseline=3, pain=pains(*values))
    found = of_rule(evaluate(rec, T, day(len(values) - 1)), "pain_rise")
    assert bool(found) is fires
    if fires:
        (a,) = found
        assert a.key == f"pain_rise:{day(0).isoformat()}"
        assert (a.since, a.fired_on, a.reference, a.severity) == (day(0), day(1), 3.0, "high")
        assert [e.value for e in a.evidence] == [float(v) for v in values]
        assert "the baseline" in a.message and f"{values[1]}/10" in a.message


def test_pain_rise_one_report_when_the_clinic_asks_for_it():
    rec = Records(pain_baseline=3, pain=pains(5))
    assert not of_rule(evaluate(rec, T, day(0)), "pain_rise")
    one = Thresholds(pain_rise_reports=1)
    assert of_rule(evaluate(rec, one, day(0)), "pain_rise")[0].fired_on == day(0)
    assert not evaluate(rec, Thresholds(pain_rise_reports=1, pain_rise_points=3), day(0))


def test_pain_rise_counts_from_the_last_report_before_it_when_that_is_lower():
    # Better (2) after a baseline of 6, then back up to 4 twice: up 2 from where it was.
    (a,) = of_rule(evaluate(Records(pain_baseline=6, pain=pains(2, 4, 4)), T, day(2)), "pain_rise")
    assert (a.reference, a.since, a.fired_on) == (2.0, day(1), day(2))
    assert f"the report on {day(0).day} Mar 2026" in a.message
    # Creeping up one point at a time never counts: each step is measured from the last.
    assert not evaluate(Records(pain_baseline=6, pain=pains(2, 3, 4, 5)), T, day(3))


def test_pain_rise_without_a_baseline_counts_from_the_first_report():
    assert of_rule(evaluate(Records(pain=pains(3, 5, 5)), T, day(2)), "pain_rise")
    assert not evaluate(Records(pain=pains(3, 4, 4)), T, day(2))


def test_pain_rise_episode_one_alert_while_it_lasts_a_new_one_after_it_clears():
    rec = Records(pain_baseline=3, pain=pains(5, 6, 6, 7))
    (a,) = evaluate(rec, T, day(3))
    assert a.ongoing and a.last == day(3) and a.key == f"pain_rise:{day(0).isoformat()}"
    assert [e.day for e in a.evidence] == [day(0), day(1), day(3)]  # the firing two, the latest
    later = Records(pain_baseline=3, pain=pains(5, 6, 6, 7, 3, 5, 5))
    first, second = sorted(evaluate(later, T, day(6)), key=lambda x: x.since)
    assert first.key == a.key and not first.ongoing and first.last == day(3)
    assert second.key == f"pain_rise:{day(5).isoformat()}" and second.ongoing
    # Over long enough ago, only the episode still going is returned.
    again = Records(pain_baseline=3, pain=(*later.pain, *pains(5, start=30)))
    assert [x.key for x in evaluate(again, T, day(30))] == [second.key]


# --- pain stop -----------------------------------------------------------------------------


def test_pain_stop_fires_on_a_session_or_a_set_stopped_for_pain():
    assert not evaluate(Records(sessions=(done(0),)), T, day(0))
    for s in (done(0, status="stopped_for_pain"), done(0, pain_stop=True)):
        (a,) = evaluate(Records(sessions=(s,)), T, day(0))
        assert (a.rule, a.severity, a.fired_on, a.key) == (
            "pain_stop",
            "high",
            day(0),
            f"pain_stop:{day(0).isoformat()}",
        )
        assert [(e.kind, e.day) for e in a.evidence] == [("session", day(0))]


def test_pain_stops_in_a_row_are_one_episode():
    stops = (done(0, pain_stop=True), done(2, status="stopped_for_pain"))
    (a,) = evaluate(Records(sessions=stops), T, day(2))
    assert a.value == 2 and len(a.evidence) == 2 and "2 sessions in a row" in a.message
    split = Records(sessions=(*stops[:1], done(1), *stops[1:]))
    assert len(evaluate(split, T, day(2))) == 2


# --- no session ----------------------------------------------------------------------------

EVERY_OTHER_DAY = tuple(day(n) for n in range(0, 40, 2))


@pytest.mark.parametrize(("today", "fires"), [(6, False), (7, True), (8, True)])
def test_no_session_for_7_days(today, fires):
    rec = Records(sessions=(done(0),), scheduled=EVERY_OTHER_DAY)
    found = evaluate(rec, T, day(today))
    assert rules(found) == (["no_session"] if fires else [])
    if fires:
        (a,) = found
        assert a.key == f"no_session:{day(1).isoformat()}" and a.fired_on == day(7)
        assert a.value == today and a.severity == "low" and a.ongoing
        assert [e.day for e in a.evidence] == [day(0), day(2), day(4), day(6)]


def test_no_session_is_high_from_14_days_and_keeps_its_key():
    rec = Records(sessions=(done(0),), scheduled=EVERY_OTHER_DAY)
    low, high = evaluate(rec, T, day(13))[0], evaluate(rec, T, day(14))[0]
    assert (low.severity, high.severity) == ("low", "high") and low.key == high.key
    assert not evaluate(rec, Thresholds(no_session_days=8), day(7))


def test_no_session_counts_from_the_plan_start_and_needs_a_missed_session():
    plan = Records(scheduled=EVERY_OTHER_DAY)
    assert not evaluate(plan, T, day(5))
    (a,) = evaluate(plan, T, day(6))  # 7 days of the plan, none done
    assert a.since == day(0) and "since the plan began" in a.message
    # A plan that is over, or a gap with nothing planned, is not a missed session.
    ended = Records(sessions=(done(2),), scheduled=(day(0), day(2)))
    assert not evaluate(ended, T, day(30))
    # A gap that has ended (a session came back) is returned while it is recent.
    back = Records(sessions=(done(0), done(10)), scheduled=EVERY_OTHER_DAY)
    (a,) = [x for x in evaluate(back, T, day(11)) if x.rule == "no_session"]
    assert not a.ongoing and a.last == day(9) and a.value == 9


# --- activity score (PSFS) -----------------------------------------------------------------


@pytest.mark.parametrize(("latest", "fires"), [(3.1, False), (3.0, True), (2.0, True)])
def test_psfs_worse_by_its_minimal_change(latest, fires):
    rec = Records(psfs=scores(5.0, latest))
    found = evaluate(rec, T, day(7))
    assert rules(found) == (["psfs_worse"] if fires else [])
    if fires:
        assert found[0].reference == 5.0 and found[0].fired_on == day(7)
        assert "the first score" in found[0].message


def test_psfs_worse_against_the_better_of_the_baseline_and_the_last_score():
    assert rules(evaluate(Records(psfs=scores(5, 8, 6)), T, day(14))) == ["psfs_worse"]
    assert not evaluate(Records(psfs=scores(5, 8, 6.5)), T, day(14))
    assert not evaluate(Records(psfs=scores(5, 3)), Thresholds(psfs_drop_points=3), day(7))


# --- completion ------------------------------------------------------------------------------

DAILY = tuple(day(n) for n in range(60))


def completion_records(done_days: list[int], half: int | None = None) -> Records:
    sessions = [
        SessionRecord(day=day(n), status="completed", planned=10, completed=5 if n == half else 10)
        for n in done_days
    ]
    return Records(sessions=tuple(sessions), scheduled=DAILY)


@pytest.mark.parametrize(
    ("done_days", "half", "fires"),
    [
        (list(range(1, 14, 2)), None, False),  # 7 of 14 due (today's done): 50 %, at
        (list(range(1, 14, 2)), 13, True),  # 6.5 of 14: 46 %, just under
        (list(range(0, 14, 2)), None, False),  # 7 of 13 due (today's not done yet): 54 %
        (list(range(0, 12, 2)), None, True),  # 6 of 13: 46 %
        (list(range(0, 14)), 3, False),  # 13.5 of 14
    ],
)
def test_low_completion_over_14_days(done_days, half, fires):
    found = of_rule(evaluate(completion_records(done_days, half), T, day(13)), "low_completion")
    assert bool(found) is fires
    if fires:
        assert found[0].fired_on == day(13) and found[0].value < 0.5
        assert found[0].severity == "low"


def test_low_completion_waits_for_a_full_window_and_finds_where_a_run_began():
    idle = Records(scheduled=DAILY)
    assert not of_rule(evaluate(idle, T, day(12)), "low_completion")  # plan 13 days old
    (a,) = of_rule(evaluate(idle, T, day(13)), "low_completion")
    (b,) = of_rule(evaluate(idle, T, day(50)), "low_completion")  # 37 days later, same run
    assert a.key == b.key == f"low_completion:{day(13).isoformat()}"


# --- red flags and pregnancy warning signs ---------------------------------------------------


@pytest.mark.parametrize("fid", sorted(FLAGS))
def test_every_sign_fires_at_once_with_the_catalogs_action_level(fid):
    (a,) = evaluate(Records(screens=(ScreenAnswer(day=day(0), red_flags=(fid,)),)), T, day(0))
    flag = FLAGS[fid]
    assert a.rule == ("pregnancy_warning_sign" if flag.group == "pregnancy" else "red_flag")
    assert (a.level, a.flag, a.severity, a.fired_on) == (flag.level, fid, "critical", day(0))
    assert a.key == f"{a.rule}:{fid}:{day(0).isoformat()}"
    assert flag.level.capitalize() in a.message or "Review" in a.message


def test_a_sign_answered_again_is_the_same_alert_until_a_check_without_it():
    yes = ("saddle_numbness",)
    checks = [ScreenAnswer(day=day(n), red_flags=yes) for n in (0, 1)]
    (a,) = evaluate(Records(screens=tuple(checks)), T, day(1))
    assert a.since == day(0) and a.last == day(1) and len(a.evidence) == 2
    checks.insert(1, ScreenAnswer(day=day(0), seq=1))  # "none of these" in between
    assert len(evaluate(Records(screens=tuple(checks)), T, day(1))) == 2


def test_alerts_come_most_urgent_first():
    rec = Records(
        pain_baseline=2,
        pain=pains(5, 5),
        screens=(
            ScreenAnswer(day=day(1), red_flags=("new_back_pain_over_50", "pregnancy_bleeding")),
            ScreenAnswer(day=day(1), seq=1, red_flags=("saddle_numbness",)),
        ),
    )
    assert [a.level for a in evaluate(rec, T, day(1))] == [
        "emergency",
        "urgent",
        "routine",
        None,
    ]


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PainReport(day=D0, nprs=11), "pain report on 2026-03-02: nprs must be a whole"),
        (lambda: PainReport(day=D0, nprs=True), "nprs must be a whole number from 0 to 10"),
        (lambda: PainReport(day="2026-03-02", nprs=1), "pain report: day must be a date"),
        (
            lambda: SessionRecord(day=D0, status="done"),
            "session on 2026-03-02: status must be one of in_progress, completed",
        ),
        (
            lambda: SessionRecord(day=D0, status="quit", planned=4, completed=5),
            "completed must be a whole number from 0 to 4, not 5",
        ),
        (lambda: PsfsResult(day=D0, score=10.5), "score must be a number from 0 to 10"),
        (
            lambda: ScreenAnswer(day=D0, red_flags=("itchy_elbow",)),
            "unknown red flag id ['itchy_elbow']",
        ),
        (lambda: ScreenAnswer(day=D0, red_flags="saddle_numbness"), "a list of ids"),
        (lambda: ScreenAnswer(day=D0, ref=1.5), "ref must be the store's row id"),
        (lambda: Records(pain_baseline=-1), "records: pain_baseline must be a whole number"),
        (lambda: Records(scheduled=("2026-03-02",)), "records: scheduled holds date items"),
    ],
)
def test_bad_records_say_which_field_and_what_it_takes(make, message):
    with pytest.raises(ValueError) as exc:
        make()
    assert message in str(exc.value)


def test_thresholds_default_to_the_contents_minimal_changes():
    q = questionnaires()
    assert T.pain_rise_points == q["nprs"].minimal_change.points == 2
    assert T.psfs_drop_points == q["psfs"].minimal_change.points == 2
    assert (T.pain_rise_reports, T.no_session_days, T.no_session_high_days) == (2, 7, 14)
    assert (T.completion_below_pct, T.completion_days) == (50, 14)
    assert parse_thresholds({}) == T


@pytest.mark.parametrize(
    ("field", "lo", "hi", "kind"),
    [
        ("pain_rise_points", 1, 10, "a whole number"),
        ("pain_rise_reports", 1, 10, "a whole number"),
        ("no_session_days", 2, 90, "a whole number"),
        ("psfs_drop_points", 0.5, 10, "a number"),
        ("completion_below_pct", 1, 100, "a whole number"),
        ("completion_days", 7, 56, "a whole number"),
    ],
)
def test_bad_thresholds_name_the_field_and_its_range(field, lo, hi, kind):
    for ok in (lo, hi):
        assert getattr(parse_thresholds({field: ok, "no_session_high_days": 180}), field) == ok
    for bad in (lo - 1, hi + 1):
        with pytest.raises(ThresholdsError) as exc:
            parse_thresholds({field: bad, "no_session_high_days": 180})
        assert str(exc.value) == (
            f"thresholds: {field} must be {kind} from {lo:g} to {hi:g} (got {bad!r})"
        )


def test_bad_thresholds_other_messages():
    with pytest.raises(ThresholdsError, match="unknown field 'pain'; fields are pain_rise"):
        parse_thresholds({"pain": 2})
    with pytest.raises(ThresholdsError, match=r"no_session_high_days must be at least no_session"):
        parse_thresholds({"no_session_days": 10, "no_session_high_days": 9})
    with pytest.raises(ThresholdsError, match=r"pain_rise_points must be a whole number"):
        parse_thresholds({"pain_rise_points": 2.5})


# --- worklist ----------------------------------------------------------------------------------


def test_worklist_row_figures():
    rec = Records(
        pain_baseline=6,
        pain=pains(5, 3, start=20),
        sessions=(done(14), done(20), done(24), SessionRecord(day=day(26), status="quit")),
        psfs=scores(4, 4.5, 6.5),
        screens=(ScreenAnswer(day=day(27)),),
        scheduled=tuple(day(n) for n in range(0, 28, 2)),
    )
    row = worklist_row("p1", rec, [], T, day(27))
    # Last 7 days (21-27): sessions due on 22, 24, 26; done on 24 only.
    assert row.adherence_7 == pytest.approx(1 / 3)
    # Last 28 days (0-27): 14 due on even days; done on 14, 20 and 24 (26 was quit).
    assert row.adherence_28 == pytest.approx(3 / 14) and row.low_adherence
    assert (row.pain.baseline, row.pain.latest, row.pain.points) == (6, 3, -3)
    assert row.pain.direction == "better" and row.pain.meaningful and not row.pain.worse
    assert (row.psfs.baseline, row.psfs.latest, row.psfs.minimal_change) == (4, 6.5, 2)
    assert row.psfs.direction == "better" and row.psfs.meaningful
    assert row.last_activity == day(27)
    fresh = worklist_row("p2", Records(pain_baseline=4), [], T, day(0))
    assert fresh.pain.latest_day is None and fresh.psfs is None and fresh.adherence_7 is None
    assert fresh.last_activity is None and not fresh.low_adherence


def _row(patient: str, **kw: object) -> WorklistRow:
    base = dict(
        alerts=(),
        adherence_7=1.0,
        adherence_28=1.0,
        pain=None,
        psfs=None,
        last_activity=day(10),
        low_adherence=False,
    )
    return WorklistRow(patient=patient, **{**base, **kw})


def _alert(rule: str, severity: str, level: str | None = None) -> Alert:
    return Alert(
        key=rule,
        rule=rule,
        severity=severity,
        level=level,
        flag=None,
        since=D0,
        fired_on=D0,
        last=D0,
        ongoing=True,
        value=None,
        reference=None,
        message="",
        evidence=(),
    )


def test_worklist_order_by_need():
    worse = worklist_row("x", Records(pain_baseline=2, pain=pains(5)), [], T, day(0)).pain
    rows = [
        _row("quiet-long", last_activity=day(1)),
        _row("never"),
        _row("active", last_activity=day(9)),
        _row("low-30", adherence_28=0.3, low_adherence=True),
        _row("low-10", adherence_28=0.1, low_adherence=True),
        _row("worse", pain=worse),
        _row("no-session", alerts=(_alert("no_session", "low"),)),
        _row("pain-stop", alerts=(_alert("pain_stop", "high"),)),
        _row("routine", alerts=(_alert("red_flag", "critical", "routine"),)),
        _row("urgent", alerts=(_alert("pain_stop", "high"), _alert(PREG, "critical", "urgent"))),
        _row("emergency", alerts=(_alert("red_flag", "critical", "emergency"),)),
    ]
    rows[1] = replace(rows[1], last_activity=None)
    order = [r.patient for r in worklist_order(rows)]
    assert order == [
        "emergency",
        "urgent",
        "routine",
        "pain-stop",
        "no-session",
        "worse",
        "low-10",
        "low-30",
        "never",
        "quiet-long",
        "active",
    ]
    assert [r.patient for r in worklist_order(list(reversed(rows)))] == order


PREG = "pregnancy_warning_sign"


def test_the_worklist_takes_the_stores_saved_alerts_as_they_are():
    """Open alerts are the store's rows: anything with key, rule, severity, level and
    fired_on will do, and they come most urgent first."""
    saved = [
        SimpleNamespace(key="b", rule="no_session", severity="low", level=None, fired_on=D0),
        SimpleNamespace(key="a", rule=PREG, severity="critical", level="urgent", fired_on=D0),
    ]
    row = worklist_row("p", Records(), saved, T, D0)
    assert [a.key for a in row.alerts] == ["a", "b"]
    assert worklist_order([_row("q"), row])[0] is row


# --- properties over generated histories --------------------------------------------------

POOL = ["saddle_numbness", "pregnancy_bleeding", "new_back_pain_over_50", "fever_or_night_sweats"]
STATUS = ["completed", "completed", "stopped_for_pain", "quit", "interrupted", "in_progress"]


@st.composite
def histories(draw, days: int | None = None) -> Records:
    """Records over up to 70 days from D0, dense enough that every rule fires often."""
    n = days if days is not None else draw(st.integers(1, 70))
    offsets = st.integers(0, n - 1)
    every = draw(st.sampled_from([1, 2, 3, 7]))
    first = draw(st.integers(0, 10))
    scheduled = tuple(day(d) for d in range(first, n + 30, every))
    sessions = []
    for i, (d, status, planned, frac, stop) in enumerate(
        draw(
            st.lists(
                st.tuples(
                    offsets,
                    st.sampled_from(STATUS),
                    st.integers(0, 12),
                    st.floats(0, 1),
                    st.booleans() if draw(st.booleans()) else st.just(False),
                ),
                max_size=n,
            )
        )
    ):
        sessions.append(
            SessionRecord(
                day=day(d),
                seq=i % 3,
                ref=f"s{i}",
                status=status,
                planned=planned,
                completed=round(planned * frac),
                pain_stop=stop,
            )
        )
    level = draw(st.integers(0, 10))
    pain = []
    for i, (d, step) in enumerate(
        draw(st.lists(st.tuples(offsets, st.integers(-3, 3)), max_size=n))
    ):
        level = min(10, max(0, level + step))
        pain.append(PainReport(day=day(d), seq=i % 2, ref=i, nprs=level))
    psfs = [
        PsfsResult(day=day(d), ref=i, score=s)
        for i, (d, s) in enumerate(
            draw(
                st.lists(
                    st.tuples(offsets, st.floats(0, 10).map(lambda x: round(x, 1))), max_size=12
                )
            )
        )
    ]
    screens = [
        ScreenAnswer(day=day(d), ref=i, red_flags=tuple(f))
        for i, (d, f) in enumerate(
            draw(
                st.lists(
                    st.tuples(
                        offsets,
                        st.lists(st.sampled_from(POOL), max_size=2) | st.just([]),
                    ),
                    max_size=n,
                )
            )
        )
    ]
    return Records(
        pain_baseline=draw(st.none() | st.integers(0, 10)),
        pain=tuple(pain),
        sessions=tuple(sessions),
        psfs=tuple(psfs),
        screens=tuple(screens),
        scheduled=scheduled,
    )


thresholds_st = st.builds(
    Thresholds,
    pain_rise_points=st.integers(1, 4),
    pain_rise_reports=st.integers(1, 3),
    no_session_days=st.integers(2, 10),
    no_session_high_days=st.just(180),
    psfs_drop_points=st.sampled_from([0.5, 1.0, 2.0, 3.5]),
    completion_below_pct=st.integers(10, 100),
    completion_days=st.integers(7, 21),
)


def _rows(rec: Records, today: date):
    """The records as the oracles read them: up to today, by day and seq, and rows that
    share both by their other fields (the order the rules document)."""

    def upto(rows, *fields):
        return sorted(
            (r for r in rows if r.day <= today),
            key=lambda r: (r.day, r.seq, *(getattr(r, f) for f in fields), repr(r.ref)),
        )

    return (
        upto(rec.pain, "nprs"),
        upto(rec.sessions, "status", "planned", "completed", "pain_stop"),
        upto(rec.psfs, "score"),
        upto(rec.screens, "red_flags"),
    )


def _check_evidence(a: Alert, rec: Records, t: Thresholds, today: date) -> None:
    """The alert's condition, read back from its evidence and the records alone."""
    pain, sessions, psfs, screens = _rows(rec, today)
    assert a.since <= a.fired_on <= a.last <= today and a.evidence
    assert a.ongoing or a.last >= today - timedelta(days=RECENT_DAYS - 1)
    kinds = {"pain": pain, "session": sessions, "psfs": psfs, "screen": screens}
    for e in a.evidence:
        if e.kind == "scheduled":
            assert e.day in rec.scheduled
        else:
            assert any(r.day == e.day and r.ref == e.ref for r in kinds[e.kind]), e
    if a.rule in RED_RULES:
        flag = FLAGS[a.flag]
        assert a.level == flag.level and (a.rule == PREG) == (flag.group == "pregnancy")
        assert all(e.kind == "screen" and e.value == a.flag for e in a.evidence)
        assert all(a.flag in r.red_flags for e in a.evidence for r in screens if r.ref == e.ref)
    elif a.rule == "pain_stop":
        stopped = {s.ref for s in sessions if s.status == "stopped_for_pain" or s.pain_stop}
        assert all(e.ref in stopped for e in a.evidence)
    elif a.rule == "pain_rise":
        need = t.pain_rise_reports
        firing = a.evidence[:need]
        assert len(firing) == need and firing[-1].day == a.fired_on
        index = [next(i for i, p in enumerate(pain) if p.ref == e.ref) for e in firing]
        assert index == list(range(index[0], index[0] + need))  # in a row
        assert all(e.value >= a.reference + t.pain_rise_points for e in firing)
        baseline = rec.pain_baseline if rec.pain_baseline is not None else pain[0].nprs
        before = pain[index[0] - 1].nprs if index[0] > 0 else None
        assert a.reference == baseline or (a.reference == before and before < baseline)
    elif a.rule == "psfs_worse":
        e = a.evidence[0]
        assert e.day == a.fired_on and e.value <= a.reference - t.psfs_drop_points + 1e-9
        i = next(i for i, p in enumerate(psfs) if p.ref == e.ref)
        assert i >= 1
        assert a.reference == psfs[0].score or (
            a.reference == psfs[i - 1].score and a.reference > psfs[0].score
        )
    elif a.rule == "no_session":
        assert not [s for s in sessions if a.since <= s.day <= a.last and _done(s)]
        assert (a.fired_on - a.since).days + 1 >= t.no_session_days
        missed = [e.day for e in a.evidence if e.kind == "scheduled"]
        assert missed and all(a.since <= d < a.fired_on for d in missed)
    elif a.rule == "low_completion":
        start = a.fired_on - timedelta(days=t.completion_days - 1)
        assert start >= min(rec.scheduled)
        share = _completion_oracle(rec.scheduled, sessions, start, a.fired_on)
        assert share is not None and share * 100 < t.completion_below_pct
        assert share == pytest.approx(a.value)
    else:
        raise AssertionError(a.rule)


def _done(s: SessionRecord) -> bool:
    return s.status in ("completed", "stopped_for_pain")


def _completion_oracle(scheduled, sessions, start: date, end: date) -> float | None:
    """Sets done over sessions due: the end day's plan counts once a session is done."""
    due = sum(1 for d in scheduled if start <= d < end)
    done_end = sum(1 for s in sessions if s.day == end and _done(s))
    due += min(done_end, sum(1 for d in scheduled if d == end))
    if not due:
        return None
    work = sum(
        (s.completed / s.planned if s.planned else 1.0)
        for s in sessions
        if start <= s.day <= end and _done(s)
    )
    return min(1.0, work / due)


@settings(SAFETY, max_examples=400)
@given(rec=histories(), t=thresholds_st, back=st.integers(0, 20), data=st.data())
def test_every_alert_rests_on_its_evidence(rec, t, back, data):
    today = day(max(0, data.draw(st.integers(0, 80)) - back))
    for a in evaluate(rec, t, today):
        _check_evidence(a, rec, t, today)


@settings(SAFETY, max_examples=300)
@given(rec=histories(), t=thresholds_st, data=st.data())
def test_stricter_thresholds_never_add_an_alert(rec, t, data):
    strict = Thresholds(
        pain_rise_points=min(10, t.pain_rise_points + data.draw(st.integers(0, 2))),
        pain_rise_reports=t.pain_rise_reports + data.draw(st.integers(0, 2)),
        no_session_days=t.no_session_days + data.draw(st.integers(0, 5)),
        no_session_high_days=180,
        psfs_drop_points=min(10, t.psfs_drop_points + data.draw(st.sampled_from([0, 0.5, 2]))),
        completion_below_pct=max(1, t.completion_below_pct - data.draw(st.integers(0, 40))),
        completion_days=t.completion_days,
    )
    today = day(data.draw(st.integers(0, 80)))
    loose = evaluate(rec, t, today)
    for a in evaluate(rec, strict, today):
        assert any(
            b.rule == a.rule
            and b.flag == a.flag
            and b.since <= a.since
            and b.fired_on <= a.fired_on
            for b in loose
        ), a


@settings(SAFETY, max_examples=300)
@given(rec=histories(), t=thresholds_st, seed=st.integers(0, 2**32), today=st.integers(0, 80))
def test_evaluation_is_the_same_whatever_the_order_of_the_rows(rec, t, seed, today):
    rng = random.Random(seed)

    def shuffled(rows):
        rows = list(rows)
        rng.shuffle(rows)
        return tuple(rows)

    mixed = Records(
        pain_baseline=rec.pain_baseline,
        pain=shuffled(rec.pain),
        sessions=shuffled(rec.sessions),
        psfs=shuffled(rec.psfs),
        screens=shuffled(rec.screens),
        scheduled=shuffled(rec.scheduled),
    )
    first = evaluate(rec, t, day(today))
    assert evaluate(rec, t, day(today)) == first == evaluate(mixed, t, day(today))
    assert worklist_row("p", mixed, first, t, day(today)) == worklist_row(
        "p", rec, first, t, day(today)
    )


@settings(SAFETY, max_examples=300)
@given(data=st.data(), t=thresholds_st)
def test_keys_stay_put_as_days_are_added(data, t):
    """An alert that had fired by day T has the key it had on T, however many days follow."""
    rec = data.draw(histories(days=70))
    cut = data.draw(st.integers(0, 69))
    later = data.draw(st.integers(cut, 69))

    def upto(rows, end):
        return tuple(r for r in rows if r.day <= day(end))

    early = Records(
        pain_baseline=rec.pain_baseline,
        pain=upto(rec.pain, cut),
        sessions=upto(rec.sessions, cut),
        psfs=upto(rec.psfs, cut),
        screens=upto(rec.screens, cut),
        scheduled=rec.scheduled,
    )
    before = {a.key: a for a in evaluate(early, t, day(cut))}
    for a in evaluate(rec, t, day(later)):
        if a.fired_on <= day(cut):
            assert a.key in before, a
            assert (before[a.key].since, before[a.key].fired_on) == (a.since, a.fired_on)


@settings(SAFETY, max_examples=150)
@given(recs=st.lists(histories(), min_size=2, max_size=6), today=st.integers(0, 80))
def test_a_red_flag_always_tops_the_worklist(recs, today):
    rows = [
        worklist_row(str(i), r, evaluate(r, T, day(today)), T, day(today))
        for i, r in enumerate(recs)
    ]
    order = worklist_order(rows)
    red = [
        min((LEVEL_ORDER[a.level] for a in r.alerts if a.rule in RED_RULES), default=9)
        for r in order
    ]
    assert red == sorted(red)


def test_docs_list_every_rule_and_every_threshold_as_the_code_has_them():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "clinic.md").read_text()
    section = doc.split("## Alerts: what fires and when", 1)[1]
    for rule in RULES:
        assert f"| `{rule}` |" in section, rule
    for name in Thresholds.model_fields:
        assert f"| `{name}` | {getattr(T, name):g} | {allowed(name)} |" in section, name
    with pytest.raises(ThresholdsError) as exc:
        parse_thresholds({"no_session_days": 1})
    with pytest.raises(ValueError) as row:
        PainReport(day=D0, nprs=11)
    for message in (exc.value, row.value):
        assert f"`{message}`" in section.replace("\n", " ")


def test_the_alerts_core_is_pure():
    """A fresh interpreter that imports the package loads no Django, Typer or Rich, and
    nothing of psoas outside the core (the rules read no clock: `today` is a parameter)."""
    code = (
        "import sys\n"
        "import psoas.core.alerts.worklist, psoas.core.alerts.rules\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'typer', 'rich', 'psoas') and not m.startswith('psoas.core')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['psoas']"
