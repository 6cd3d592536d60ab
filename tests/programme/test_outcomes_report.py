"""The outcomes report's protection (pure): every shown group counts at least k students, and no
sum a reader can work out from the shown groups covers fewer than k; the tables built on it."""
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolpeers.programme.outcomes_report import (
    ALL_GRADES,
    Pair,
    SurveyAnswer,
    change_tables,
    protect_groups,
    survey_tables,
)
from schoolpeers.reports.privacy import HIDDEN
from schoolpeers.reports.trends import DEFAULT_GRADE_BANDS

K = 5
AREAS = {"friendships": "Friendships", "school_work": "School work", "confidence": "Confidence"}


def in_row_space(shown: list[frozenset], target: frozenset, students: list) -> bool:
    """Whether the target's sum is a combination (any weights) of the shown groups' sums."""
    if not shown:
        return False
    rows = np.array([[s in g for s in students] for g in shown], dtype=float)
    with_target = np.vstack([rows, [[s in target for s in students]]])
    return np.linalg.matrix_rank(with_target) == np.linalg.matrix_rank(rows)


# Partitions (bands) plus overlapping groups (areas) over up to 14 students: like a small school's year.
@st.composite
def school_groups(draw):
    n = draw(st.integers(0, 14))
    students = list(range(n))
    bands = [draw(st.integers(0, 2)) for _ in students]
    total = frozenset(students)
    by_band = [frozenset(s for s in students if bands[s] == b) for b in range(3)]
    areas = [frozenset(draw(st.sets(st.sampled_from(students), max_size=n)) if n else ())
             for _ in range(draw(st.integers(0, 3)))]
    return [total, *by_band, *areas]


@settings(max_examples=150, deadline=None)
@given(school_groups(), st.integers(K, 7), st.randoms(use_true_random=False))
def test_shown_groups_count_k_and_no_hidden_group_or_small_set_can_be_worked_out(groups, k, random):
    shown = protect_groups(groups, k, [random.randint(0, 2) for _ in groups])
    published = [g for g, s in zip(groups, shown, strict=True) if s]
    assert all(len(g) >= k for g in published)
    students = sorted(set().union(*groups))
    for group, show in zip(groups, shown, strict=True):
        if not show and group:  # a hidden group's count or sums: not a combination of the shown ones
            assert not in_row_space(published, group, students)
    # No set of 1 to k-1 students is a combination of the shown groups either (checked by brute force).
    for size in range(1, min(k, len(students) + 1)):
        for chosen in combinations(students, size):
            assert not in_row_space(published, frozenset(chosen), students)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=2, max_size=5), st.integers(K, 8))
def test_a_single_hidden_band_is_never_left_beside_a_shown_total(sizes, k):
    students = iter(range(sum(sizes)))
    bands = [frozenset(next(students) for _ in range(size)) for size in sizes]
    total = frozenset().union(*bands)
    shown = protect_groups([total, *bands], k)
    hidden_bands = [b for b, s in zip(bands, shown[1:], strict=True) if not s and b]
    if shown[0]:
        assert len(hidden_bands) != 1
        assert not hidden_bands or sum(len(b) for b in hidden_bands) >= k  # what the total leaves is k or more


def test_the_next_smallest_band_is_hidden_beside_a_small_one():
    total, small = frozenset(range(20)), frozenset(range(2))
    big, middle = frozenset(range(2, 12)), frozenset(range(12, 20))
    assert protect_groups([total, small, big, middle], K) == [True, False, True, False]


def test_an_area_leaving_out_fewer_than_k_of_the_total_is_hidden():
    total = frozenset(range(12))
    almost_everyone = frozenset(range(11))  # the total less this area would be one student
    shown = protect_groups([total, almost_everyone], K)
    assert shown == [True, False]


def test_an_area_less_a_band_cannot_isolate_a_student():
    band = frozenset(range(6))
    other_band = frozenset(range(6, 12))
    area = frozenset(range(7))  # the band and one student of the other band
    total = band | other_band
    shown = protect_groups([total, band, other_band, area], K)
    published = [g for g, s in zip([total, band, other_band, area], shown, strict=True) if s]
    assert not in_row_space(published, frozenset({6}), list(range(12)))
    assert shown[0]  # the total stays


def test_overlapping_areas_whose_overlap_cannot_be_worked_out_stay_shown():
    total = frozenset(range(20))
    assert protect_groups([total, frozenset(range(12)), frozenset(range(6, 20))], K) == [True, True, True]


def test_a_hidden_group_the_shown_ones_give_exactly_is_shown():
    total, first, second = frozenset(range(10)), frozenset(range(5)), frozenset(range(5, 10))
    assert protect_groups([total, first, second], K) == [True, True, True]


@pytest.mark.parametrize("k", [4, 2.5, True, None])
def test_k_below_five_or_not_a_whole_number_is_refused(k):
    with pytest.raises(ValueError):
        protect_groups([frozenset(range(10))], k)


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
