"""What a reader can work out from published counts: intervals carried through exact relations."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from schoolpeers.reports.bounds import cell_bounds


def relations(*groups: list[int], cells: int) -> sparse.csr_matrix:
    indptr = np.cumsum([0, *(len(g) for g in groups)])
    indices = np.array([c for g in groups for c in g])
    return sparse.csr_matrix((np.ones(len(indices), dtype=int), indices, indptr), shape=(len(groups), cells))


def test_a_school_minus_two_bands_and_a_grade_caps_the_last_grade():
    """Cells: 0 school, 1 and 2 two bands shown, 3 the band of grades 4 (hidden) and 5 (shown).
    The bands' check-ins are at least their shown students, which is what caps grade 4 below 5."""
    school_of_bands, band_of_grades = [0, 1, 2, 3], [3, 4, 5]
    hidden = np.array([False, False, False, False, True, False])
    students = np.array([40, 22, 14, 10, 0, 5])
    checkins = np.array([39, 20, 13, 8, 0, 7])
    low, high = cell_bounds(students, checkins, hidden, relations(school_of_bands, band_of_grades, cells=6),
                            floor=5, noise=2)
    # check-ins of the bands: at least 20 and 12 (their students), so band 3 at most 41 - 32 = 9,
    # and grade 4 at most 9 - 5 = 4
    assert high[1, 3] == 9 and high[1, 4] == 4 and low[1, 4] == 1


def test_a_roomy_remainder_leaves_the_hidden_part_room_above_k():
    hidden = np.array([False, True, False])
    low, high = cell_bounds(np.array([9, 0, 5]), np.array([12, 0, 7]), hidden, relations([0, 1, 2], cells=3),
                            floor=5, noise=2)
    assert high[1, 1] == 14 - 5 and high[0, 1] == 11 - 5  # the total's highest minus the shown part's lowest
    assert low[:, 1].tolist() == [1, 1]


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_the_truth_always_lies_within_the_bounds(data):
    """Whatever the counts and the noise, each cell's true students and check-ins lie in its bounds:
    they are what a reader can know, never a guess past it."""
    grades = data.draw(st.integers(2, 4))
    true_students = np.array(data.draw(st.lists(st.integers(0, 12), min_size=grades, max_size=grades)))
    extra = np.array(data.draw(st.lists(st.integers(0, 6), min_size=grades, max_size=grades)))
    true_checkins = true_students + np.where(true_students > 0, extra, 0)
    students = np.concatenate([[true_students.sum()], true_students])
    checkins = np.concatenate([[true_checkins.sum()], true_checkins])
    k, noise = 5, 2
    hidden = (students > 0) & (students < k)
    shift = np.array(data.draw(st.lists(st.integers(-noise, noise), min_size=grades + 1, max_size=grades + 1)))
    shown_students = np.where(students > 0, np.maximum(k, students + shift), 0)
    shown_checkins = np.where(checkins > 0, np.maximum(k, checkins + shift), 0)
    # a shown count is within `noise` of the truth and never below k: keep only what publication allows
    consistent = (~hidden & (students > 0)) <= ((np.abs(shown_students - students) <= noise)
                                                & (np.abs(shown_checkins - checkins) <= noise))
    if not consistent.all():
        return
    low, high = cell_bounds(shown_students, shown_checkins, hidden, relations(list(range(grades + 1)),
                                                                              cells=grades + 1),
                            floor=k, noise=noise)
    assert (low[0] <= students + 1e-9).all() and (students <= high[0] + 1e-9).all()
    assert (low[1] <= checkins + 1e-9).all() and (checkins <= high[1] + 1e-9).all()


def test_a_week_inside_a_hidden_month_and_the_band_pin_the_month():
    """Cells: 0 a band's month (shown 16), 1 and 2 its two grades' months (hidden), 3 and 4 a week of
    each grade inside that month (shown 6 and 14, k = 6). A month counts every student of its weeks,
    so grade 1's month is at least 6 and grade 2's at least 12, which leaves grade 1 at most 18 - 12."""
    hidden = np.array([False, True, True, False, False])
    students = np.array([16, 0, 0, 6, 14])
    checkins = np.array([40, 0, 0, 9, 20])
    low, high = cell_bounds(students, checkins, hidden, relations([0, 1, 2], cells=5), floor=6, noise=2,
                            within=relations([1, 3], [2, 4], cells=5))
    assert (low[0, 1], high[0, 1]) == (6, 6)
    assert (low[0, 2], high[0, 2]) == (12, 12)
    assert low[1, 1] == 7 and low[1, 2] == 18  # check-ins of the weeks inside are check-ins of the month


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_the_truth_lies_within_the_bounds_carried_over_time(data):
    """One row over 21 days: a whole period, two "months" cut at a drawn day, and three weeks, the
    month cut falling inside one of them. Whatever the check-ins and the noise, each cell's true
    students and check-ins lie in its bounds."""
    k, noise = 5, 2
    cut = data.draw(st.integers(1, 20))
    periods = [(0, 20), (0, cut - 1), (cut, 20), (0, 6), (7, 13), (14, 20)]  # whole, 2 months, 3 weeks
    visits = data.draw(st.lists(st.lists(st.integers(0, 20), max_size=6), min_size=1, max_size=12))
    students = np.array([sum(any(a <= d <= b for d in days) for days in visits) for a, b in periods])
    checkins = np.array([sum(a <= d <= b for days in visits for d in days) for a, b in periods])
    shift = np.array(data.draw(st.lists(st.integers(-noise, noise), min_size=2 * len(periods),
                                        max_size=2 * len(periods)))).reshape(2, -1)
    hidden = (students > 0) & (students < k)
    shown = [np.where(counts > 0, np.maximum(k, counts + s), 0)
             for counts, s in zip((students, checkins), shift, strict=True)]
    consistent = (~hidden & (students > 0)) <= ((np.abs(shown[0] - students) <= noise)
                                                & (np.abs(shown[1] - checkins) <= noise))
    if not consistent.all():
        return  # not a publication the noise allows
    # each relation's parts are of one level, so they do not overlap one another
    inside = [[0, 1, 2], [0, 3, 4, 5]]
    inside += [[m] + [w for w in range(3, 6) if periods[m][0] <= periods[w][0] and periods[w][1] <= periods[m][1]]
               for m in (1, 2)]
    overlapping = [[0, 1, 2], [0, 3, 4, 5]]
    overlapping += [[m] + [w for w in range(3, 6) if periods[w][0] <= periods[m][1] and periods[w][1] >= periods[m][0]]
                    for m in (1, 2)]
    low, high = cell_bounds(shown[0], shown[1], hidden, relations(cells=len(periods)), floor=k, noise=noise,
                            within=relations(*inside, cells=len(periods)),
                            covering=relations(*overlapping, cells=len(periods)))
    for m, truth in enumerate((students, checkins)):
        assert (low[m] <= truth + 1e-9).all() and (truth <= high[m] + 1e-9).all(), m
