"""Scoring every method, change against the baseline, adherence, streaks and weekly prompts.

The licensed questionnaires (ODI, RMDQ, STarT Back) are tested through synthetic files
with placeholder items, written to a temporary folder: their text is never in the repo.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
import textstat
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from psoas.core.content.questionnaires import load_questionnaires, questionnaires
from psoas.core.scoring.adherence import adherence
from psoas.core.scoring.change import change
from psoas.core.scoring.prompts import due_questionnaires
from psoas.core.scoring.score import Score, score

SOURCE = {"title": "Synthetic test source", "fact": "Placeholder for a licensed source."}
NPRS = questionnaires()["nprs"]
PSFS = questionnaires()["psfs"]
MON = date(2024, 1, 1)  # a Monday, ISO week 1 of 2024


def _choice(scores: list[int]) -> dict:
    options = [{"id": f"o{n}", "text": f"Option {n}", "score": s} for n, s in enumerate(scores)]
    return {"type": "choice", "options": options}


def _base(qid: str, items: list[dict], method: str, top: int, **extra) -> dict:
    return {
        "id": qid,
        "name": f"Synthetic {qid}",
        "score_name": "test score",
        "version": "synthetic",
        "licence": "test only",
        "recall_period": "today",
        "items": items,
        "scoring": {"method": method, **extra.pop("scoring", {})},
        "direction": "higher_is_worse",
        "range": {"min": 0, "max": top},
        "sources": [SOURCE],
        **extra,
    }


ODI = _base(
    "odi",
    [
        {"id": f"s{n}", "text": f"Section {n}", "answer": _choice([0, 1, 2, 3, 4, 5])}
        for n in range(10)
    ],
    "percent_of_max",
    100,
    scoring={"min_answered": 8},
    minimal_change={"kind": "mcid", "points": 10, "percent": 30, "source": SOURCE},
    bands=[
        {"up_to": 20, "label": "minimal"},
        {"up_to": 40, "label": "moderate"},
        {"up_to": 60, "label": "severe"},
        {"up_to": 80, "label": "very severe"},
        {"up_to": 100, "label": "bed-bound"},
    ],
)
RMDQ = _base(
    "rmdq",
    [{"id": f"i{n:02}", "text": f"Statement {n}", "answer": {"type": "tick"}} for n in range(24)],
    "count_ticked",
    24,
    minimal_change={"kind": "mcid", "points": 5, "source": SOURCE},
)
STARTBACK = _base(
    "startback",
    [{"id": f"q{n}", "text": f"Item {n}", "answer": _choice([0, 1])} for n in range(1, 9)]
    + [{"id": "q9", "text": "Item 9", "answer": _choice([0, 0, 0, 1, 1])}],
    "startback",
    9,
)


@pytest.fixture(scope="module")
def licensed(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    (root / "questionnaires").mkdir()
    for data in (ODI, RMDQ, STARTBACK):
        (root / "questionnaires" / f"{data['id']}.yaml").write_text(yaml.safe_dump(data))
    return load_questionnaires(root)


# --- NPRS and PSFS -------------------------------------------------------------------------


def test_nprs_is_the_number():
    s = score(NPRS, {"pain": 7})
    assert (s.value, s.complete, s.answered, s.band) == (7, True, 1, None)


@pytest.mark.parametrize("bad", [11, -1, 3.5, True, "7"])
def test_nprs_out_of_range_names_item_and_range(bad):
    with pytest.raises(ValueError, match=r"item 'pain' takes a whole number from 0 to 10"):
        score(NPRS, {"pain": bad})


def test_unknown_item_is_named():
    with pytest.raises(ValueError, match=r"unknown item 'ache'"):
        score(NPRS, {"ache": 3})


def test_skipped_nprs_is_incomplete():
    s = score(NPRS, {"pain": None})
    assert not s.complete and s.value is None and "0 of 1 items answered" in s.reason


def _psfs(*ratings: int, names: tuple[str, ...] = ("Run", "Sit", "Lift", "Cycle", "Garden")):
    answers = {}
    for n, (name, r) in enumerate(zip(names, ratings, strict=False), start=1):
        answers[f"activity_{n}_name"], answers[f"activity_{n}"] = name, r
    return answers


def test_psfs_is_the_mean_of_the_rated_activities():
    s = score(PSFS, _psfs(2, 3, 7))
    assert s.value == pytest.approx(4) and s.answered == 3
    assert s.labels == {"activity_1": "Run", "activity_2": "Sit", "activity_3": "Lift"}
    assert score(PSFS, _psfs(1, 2, 3, 4, 10)).value == pytest.approx(4)


def test_psfs_needs_three_activities():
    s = score(PSFS, _psfs(5, 6))
    assert not s.complete and "at least 3 are needed" in s.reason


def test_psfs_rating_needs_a_name():
    answers = _psfs(5, 6, 7)
    answers["activity_2_name"] = "   "
    with pytest.raises(ValueError, match=r"'activity_2' is rated but 'activity_2_name'"):
        score(PSFS, answers)


def test_psfs_name_too_long_is_named():
    with pytest.raises(ValueError, match=r"'activity_1_name' takes text of up to 80"):
        score(PSFS, _psfs(5, 6, 7, names=("x" * 81, "b", "c")))


# --- ODI, RMDQ and STarT Back from synthetic files -----------------------------------------


def test_odi_all_ten_sections(licensed):
    answers = {f"s{n}": f"o{v}" for n, v in enumerate([2, 2, 2, 2, 2, 2, 2, 1, 1, 0])}
    s = score(licensed["odi"], answers)  # sum 16 of 50
    assert s.value == pytest.approx(32) and s.band == "moderate"


def test_odi_one_section_skipped_divides_by_45(licensed):
    answers = {f"s{n}": f"o{v}" for n, v in enumerate([2, 2, 2, 2, 2, 2, 2, 1, 1])}
    s = score(licensed["odi"], answers)  # 16 / 45
    assert s.value == pytest.approx(35.56, abs=0.01) and s.answered == 9


def test_odi_fewer_than_eight_sections_is_incomplete(licensed):
    s = score(licensed["odi"], {f"s{n}": "o1" for n in range(7)})
    assert not s.complete and "7 of 10" in s.reason and "at least 8" in s.reason


def test_odi_bad_option_names_item_and_options(licensed):
    with pytest.raises(ValueError, match=r"item 's0' takes one of o0, o1, o2, o3, o4, o5"):
        score(licensed["odi"], {"s0": "o6"})


def test_rmdq_counts_ticks(licensed):
    q = licensed["rmdq"]
    s = score(q, {"i00": True, "i05": True, "i06": False, "i23": True})
    assert s.value == 3 and s.complete
    assert score(q, {}).value == 0
    assert score(q, {f"i{n:02}": True for n in range(24)}).value == 24
    with pytest.raises(ValueError, match=r"item 'i01' is ticked \(true\) or not"):
        score(q, {"i01": 1})


def _startback_answers(first_eight: tuple[int, ...], item9: int) -> dict:
    answers = {f"q{n}": f"o{v}" for n, v in enumerate(first_eight, start=1)}
    answers["q9"] = f"o{item9}"  # o3 "very much" and o4 "extremely" score 1
    return answers


def test_startback_groups_every_answer_pattern(licensed):
    """All 2^8 x 5 answer patterns, against the rule as Keele states it (clinical.md 6.5)."""
    q = licensed["startback"]
    for first, item9 in itertools.product(itertools.product((0, 1), repeat=8), range(5)):
        s = score(q, _startback_answers(first, item9))
        nine = 1 if item9 >= 3 else 0
        total, sub = sum(first) + nine, sum(first[4:]) + nine
        expected = "high risk" if sub >= 4 else "low risk" if total <= 3 else "medium risk"
        assert (s.value, s.subscale, s.band) == (total, sub, expected)


@pytest.mark.parametrize(
    ("first", "item9", "band"),
    [
        ((1, 1, 1, 0, 0, 0, 0, 0), 0, "low risk"),  # total 3
        ((1, 1, 1, 1, 0, 0, 0, 0), 2, "medium risk"),  # total 4, subscale 0
        ((1, 1, 1, 1, 1, 1, 1, 0), 1, "medium risk"),  # total 7, subscale 3
        ((0, 0, 0, 0, 1, 1, 1, 0), 4, "high risk"),  # subscale 4
    ],
)
def test_startback_worked_examples(licensed, first, item9, band):
    assert score(licensed["startback"], _startback_answers(first, item9)).band == band


def test_startback_needs_all_nine(licensed):
    answers = _startback_answers((0,) * 8, 0)
    del answers["q9"]
    assert not score(licensed["startback"], answers).complete


# --- change against the baseline -----------------------------------------------------------


def test_change_sentence_names_the_mcid():
    c = change(NPRS, score(NPRS, {"pain": 6}), score(NPRS, {"pain": 3}))
    assert (c.points, c.direction, c.improved) == (-3, "better", True)
    assert c.percent == pytest.approx(-50)
    assert c.message == (
        "Your pain is 3 points lower than at the start. "
        "A change of 2 points or more, or of 30 % or more, is one people notice."
    )


def test_small_change_does_not_reach_the_mcid():
    c = change(NPRS, score(NPRS, {"pain": 7}), score(NPRS, {"pain": 6}))
    assert not c.reaches_minimal_change and not c.improved
    assert c.message.startswith("Your pain is 1 point lower than at the start.")


def test_percent_counts_for_improvement_only():
    better = change(NPRS, score(NPRS, {"pain": 3}), score(NPRS, {"pain": 2}))  # -33 %
    assert better.improved
    worse = change(NPRS, score(NPRS, {"pain": 1}), score(NPRS, {"pain": 2}))  # +100 %
    assert worse.direction == "worse" and not worse.reaches_minimal_change
    much_worse = change(NPRS, score(NPRS, {"pain": 2}), score(NPRS, {"pain": 4}))
    assert much_worse.reaches_minimal_change and not much_worse.improved


def test_no_pain_at_baseline_has_no_percent():
    c = change(NPRS, score(NPRS, {"pain": 0}), score(NPRS, {"pain": 0}))
    assert c.percent is None and c.direction == "same"
    assert c.message.startswith("Your pain is the same as at the start.")


def test_psfs_higher_is_better_and_single_activities():
    c = change(PSFS, score(PSFS, _psfs(2, 3, 4)), score(PSFS, _psfs(6, 4, 5)))
    assert c.direction == "better" and c.improved and c.points == pytest.approx(2)
    assert c.items_improved == ("activity_1",)
    assert "more than day-to-day ups and downs" in c.message
    worse = change(PSFS, score(PSFS, _psfs(6, 6, 6)), score(PSFS, _psfs(4, 4, 4)))
    assert worse.direction == "worse" and worse.reaches_minimal_change and not worse.improved


def test_change_needs_complete_scores_of_the_same_questionnaire(licensed):
    with pytest.raises(ValueError, match=r"baseline score is incomplete"):
        change(PSFS, score(PSFS, _psfs(2)), score(PSFS, _psfs(2, 3, 4)))
    with pytest.raises(ValueError, match=r"current score is for psfs, not nprs"):
        change(NPRS, score(NPRS, {"pain": 2}), score(PSFS, _psfs(2, 3, 4)))


def test_change_without_a_threshold_says_only_the_change(licensed):
    q = licensed["startback"]
    c = change(
        q, score(q, _startback_answers((1,) * 8, 4)), score(q, _startback_answers((0,) * 8, 0))
    )
    assert not c.reaches_minimal_change
    assert c.message == "Your test score is 9 points lower than at the start."


def test_change_sentences_read_at_grade_6_or_below(licensed):
    for q in (NPRS, PSFS, licensed["odi"]):
        low, high = q.range.min, q.range.max
        c = change(q, _any_score(q, high), _any_score(q, low))
        assert textstat.flesch_kincaid_grade(c.message) <= 6, c.message


def _any_score(q, value):
    return Score(q.id, float(value), None, 1, 1, "")


@settings(settings.get_profile("safety"))
@given(st.integers(0, 10), st.integers(0, 10))
def test_nprs_improvement_rule(before, after):
    c = change(NPRS, score(NPRS, {"pain": before}), score(NPRS, {"pain": after}))
    drop = before - after
    assert c.improved == (drop >= 2 or (before > 0 and drop / before >= 0.3))
    assert c.reaches_minimal_change == (c.improved or -drop >= 2)


# --- adherence and streaks -----------------------------------------------------------------


def _days(*offsets: int) -> list[date]:
    return [MON + timedelta(days=o) for o in offsets]


def test_share_per_iso_week_and_overall():
    a = adherence(_days(0, 2, 4, 7, 9, 11), _days(0, 4, 7, 9, 11), today=_days(13)[0])
    assert [(w.week, w.scheduled, w.done) for w in a.weeks] == [(1, 3, 2), (2, 3, 3)]
    assert a.weeks[0].share == pytest.approx(2 / 3) and a.overall == pytest.approx(5 / 6)


def test_done_beyond_the_schedule_does_not_go_over_100_percent():
    a = adherence(_days(0, 2), _days(0, 1, 2, 3, 4, 4), today=_days(6)[0])
    assert a.weeks[0].share == 1 and a.overall == 1


def test_a_day_late_or_early_counts_within_the_week():
    late = adherence(_days(0, 2, 4), _days(1, 2, 4), today=_days(6)[0])
    early = adherence(_days(1, 3), _days(0, 3), today=_days(6)[0])
    assert late.overall == 1 and early.overall == 1
    late_across_weeks = adherence(_days(6), _days(7), today=_days(8)[0])
    assert late_across_weeks.overall == 0


def test_todays_session_is_not_due_until_done():
    a = adherence(_days(0, 2), _days(0), today=_days(2)[0])
    assert (a.scheduled, a.done, a.current_streak) == (1, 1, 1)
    b = adherence(_days(0, 2), _days(0, 2), today=_days(2)[0])
    assert (b.scheduled, b.done, b.current_streak) == (2, 2, 2)


def test_future_and_pre_start_dates_are_left_out():
    a = adherence(_days(0, 7, 14), _days(0, 7, 14), today=_days(7)[0], start=_days(7)[0])
    assert [(w.week, w.start, w.scheduled) for w in a.weeks] == [(1, _days(7)[0], 1)]


def test_program_weeks_count_from_the_start():
    start = _days(3)[0]  # a Thursday
    a = adherence(_days(3, 5, 10, 12), _days(3, 10), today=_days(20)[0], start=start)
    assert [(w.week, w.start, w.done, w.scheduled) for w in a.weeks] == [
        (1, start, 1, 2),
        (2, start + timedelta(days=7), 1, 2),
    ]


def test_streaks():
    scheduled = _days(0, 2, 4, 7, 9, 11, 14, 16)
    done = _days(0, 2, 4, 7, 11, 14, 16)  # day 9 missed
    a = adherence(scheduled, done, today=_days(17)[0])
    assert (a.longest_streak, a.current_streak) == (4, 3)
    assert adherence([], [], today=MON).overall is None


@st.composite
def _schedules(draw):
    scheduled = draw(st.lists(st.integers(0, 40), max_size=30))
    done = draw(st.lists(st.integers(0, 40), max_size=30))
    today = draw(st.integers(0, 42))
    start = draw(st.none() | st.integers(0, 10))
    extra = draw(st.integers(0, today))
    return scheduled, done, today, start, extra


@settings(settings.get_profile("safety"))
@given(_schedules())
def test_adherence_is_a_share_and_a_session_done_never_lowers_it(case):
    scheduled, done, today, start, extra = case
    kw = {"today": _days(today)[0], "start": None if start is None else _days(start)[0]}
    a = adherence(_days(*scheduled), _days(*done), **kw)
    assert a.done <= a.scheduled and a.longest_streak >= a.current_streak
    assert all(0 <= w.share <= 1 and w.scheduled > 0 for w in a.weeks)
    if a.overall is not None:
        assert 0 <= a.overall <= 1
    b = adherence(_days(*scheduled, extra), _days(*done, extra), **kw)
    if a.overall is not None and b.overall is not None:
        assert b.overall >= a.overall - 1e-12
        for wa in a.weeks:
            wb = next(w for w in b.weeks if w.start == wa.start)
            assert wb.share >= wa.share - 1e-12


# --- weekly prompts ------------------------------------------------------------------------


def test_nprs_every_check_in_psfs_weekly_from_baseline():
    base = MON
    last = {"nprs": base, "psfs": base}
    assert due_questionnaires(base + timedelta(days=1), base, last) == ("nprs",)
    assert due_questionnaires(base + timedelta(days=7), base, last) == ("nprs", "psfs")
    last["psfs"] = base + timedelta(days=8)
    assert due_questionnaires(base + timedelta(days=13), base, last) == ("nprs",)
    assert due_questionnaires(base + timedelta(days=14), base, last) == ("nprs", "psfs")


def test_a_missed_week_asks_the_psfs_once():
    base = MON
    last = {"psfs": base + timedelta(days=22)}  # answered late, in the fourth week
    assert due_questionnaires(base + timedelta(days=26), base, last) == ("nprs",)
    assert "psfs" in due_questionnaires(base + timedelta(days=1), base, {})


def test_clinic_intervals_and_bad_dates():
    due = due_questionnaires(MON + timedelta(days=28), MON, {"odi": MON}, {"odi": 28})
    assert due == ("odi",)
    with pytest.raises(ValueError, match=r"before the baseline"):
        due_questionnaires(MON, MON + timedelta(days=1), {})
