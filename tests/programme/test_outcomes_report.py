"""The outcomes report's tables (pure), protected by `reports.groups.protect_groups` (tested there)."""
import pytest

from schoolpeers.programme.outcomes_report import (
    ALL_GRADES,
    Pair,
    SurveyAnswer,
    change_tables,
    survey_tables,
)
from schoolpeers.reports.privacy import HIDDEN
from schoolpeers.reports.trends import DEFAULT_GRADE_BANDS

K = 5
AREAS = {"friendships": "Friendships", "school_work": "School work", "confidence": "Confidence"}


def pair(student, grade, areas, start, end):
    return Pair(student=student, key=student * 7919, grade=grade, areas=frozenset(areas), start=start, end=end)


def test_change_tables_show_means_by_band_and_area_and_hide_small_groups():
    pairs = [pair(s, 7, ["friendships"], 40, 60) for s in range(6)]  # grades 6-8: +20
    pairs += [pair(s, 10, ["school_work"], 60, 50) for s in range(6, 12)]  # grades 9-10: -10
    pairs += [pair(s, 12, ["confidence"], 50, 55) for s in range(12, 18)]  # grades 11-12: +5
    tables = change_tables(pairs, DEFAULT_GRADE_BANDS, AREAS, K)
    rows = {row.label: row for row in tables.rows}
    assert [row.label for row in tables.by_grade] == [ALL_GRADES, "Grades 6–8", "Grades 9–10", "Grades 11–12"]
    assert (rows[ALL_GRADES].start, rows[ALL_GRADES].end, rows[ALL_GRADES].change) == ("50.0", "55.0", "+5.0")
    assert (rows["Grades 6–8"].start, rows["Grades 6–8"].end, rows["Grades 6–8"].change) == ("40.0", "60.0", "+20.0")
    assert rows["Grades 9–10"].change == "-10.0" and rows["School work"].change == "-10.0"
    for row in tables.rows:
        assert abs(int(row.students) - 6 * (1 + 2 * (row.label == ALL_GRADES))) <= 2 and int(row.students) >= K


def test_a_student_alone_in_a_band_hides_another_band_not_the_total():
    pairs = [pair(s, 7, ["friendships"], 40, 60) for s in range(6)]
    pairs += [pair(s, 10, ["school_work"], 60, 50) for s in range(6, 12)]
    pairs += [pair(12, 11, ["friendships"], 20, 80)]  # alone in grades 11-12
    tables = change_tables(pairs, DEFAULT_GRADE_BANDS, AREAS, K)
    rows = {row.label: row for row in tables.rows}
    assert rows[ALL_GRADES].start == "47.7"  # (6*40 + 6*60 + 20) / 13
    assert rows["Grades 11–12"].students == HIDDEN
    assert [row.students == HIDDEN for row in tables.bands].count(True) == 2  # and the next smallest band
    # friendships is grades 6-8 and the student of grades 11-12: never both beside each other
    assert HIDDEN in (rows["Friendships"].students, rows["Grades 6–8"].students)
    assert rows["Confidence"].students == "0" and rows["Confidence"].start == "–"


def test_the_same_students_get_the_same_noise_and_extremes_are_coded():
    pairs = [pair(s, 7, [], 100, 100) for s in range(8)]
    first = change_tables(pairs, DEFAULT_GRADE_BANDS, AREAS, K)
    again = change_tables(list(reversed(pairs)), DEFAULT_GRADE_BANDS, AREAS, K)
    assert first == again
    assert first.total.start == "≥95.0" and first.total.change == "+0.0"


def test_one_pair_per_student():
    with pytest.raises(ValueError):
        change_tables([pair(1, 7, [], 1, 2), pair(1, 7, [], 3, 4)], DEFAULT_GRADE_BANDS, AREAS, K)


def answer(respondent, side, recommend="yes", helped=("listening",), got_on=4):
    return SurveyAnswer(respondent=respondent, key=respondent * 104729, side=side, got_on=got_on, helped=4,
                        recommend=recommend, what_helped=frozenset(helped))


OPTIONS = {"listening": "Having someone to listen", "ideas": "Ideas to try"}
SIDES = {"mentee": "Mentees", "mentor": "Mentors"}


def test_surveys_per_side_with_small_answers_hidden():
    answers = [answer(r, "mentee") for r in range(6)] + [answer(6, "mentee", recommend="no", helped=("ideas",))]
    answers += [answer(r, "mentor") for r in range(20, 23)]
    mentees, mentors = survey_tables(answers, SIDES, OPTIONS, K)
    assert mentees.got_on == "4.0" and mentees.recommend == HIDDEN  # all but one said yes: the one stands out
    assert dict(mentees.what_helped)["Ideas to try"] == HIDDEN
    assert mentors.respondents == HIDDEN and mentors.got_on == HIDDEN


def test_a_share_most_gave_is_shown_when_those_who_did_not_are_k_or_none():
    answers = [answer(r, "mentee") for r in range(6)]
    answers += [answer(r, "mentee", recommend="no", helped=()) for r in range(6, 12)]
    mentees, mentors = survey_tables(answers, SIDES, OPTIONS, K)
    assert mentees.recommend == "50%" and dict(mentees.what_helped)["Having someone to listen"] == "50%"
    assert dict(mentees.what_helped)["Ideas to try"] == HIDDEN  # nobody named it: about every one of them
    assert mentors.respondents == "0"
