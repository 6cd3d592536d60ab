"""The one protection decision over groups that overlap (pure): every shown group counts at least k
people, and no sum a reader can work out from the shown groups covers fewer than k."""
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolpeers.reports.groups import protect_groups, published_count

K = 5


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


def small_sets_derivable(published: list[frozenset], members: list, k: int, person=lambda m: m) -> list[frozenset]:
    """Every set of members counting 1 to k-1 people, made of whole classes, that the published
    groups give exactly. By brute force over the classes (such a set holds at most k-1 classes,
    each of fewer than k people): for small examples only."""
    signatures: dict[tuple[bool, ...], set] = {}
    for member in members:
        if any(member in g for g in published):
            signatures.setdefault(tuple(member in g for g in published), set()).add(member)
    keys = list(signatures)
    small = [i for i, key in enumerate(keys) if len({person(m) for m in signatures[key]}) < k]
    rows = np.array(keys, dtype=float).T if keys else np.zeros((len(published), 0))
    rank = np.linalg.matrix_rank(rows) if keys else 0
    found = []
    for size in range(1, min(k - 1, len(small)) + 1):
        for chosen in combinations(small, size):
            union = frozenset().union(*(signatures[keys[i]] for i in chosen))
            if len({person(m) for m in union}) >= k:
                continue
            target = np.zeros((1, len(keys)))
            target[0, list(chosen)] = 1
            if np.linalg.matrix_rank(np.vstack([rows, target])) == rank:
                found.append(union)
    return found


# A student's part in one of a few circles: (student, circle). Topics and bands are unions of
# whole circles, or of students' parts by the student's own band: like a year of circles.
@st.composite
def parts_of_students(draw):
    students = draw(st.integers(0, 12))
    circles = draw(st.integers(1, 4))
    parts = sorted({(s, c) for s in range(students)
                    for c in draw(st.sets(st.integers(0, circles - 1), max_size=2))})
    topic = [draw(st.integers(0, 2)) for _ in range(circles)]
    band = [draw(st.integers(0, 1)) for _ in range(students)]
    total = frozenset(parts)
    topics = [frozenset(p for p in parts if topic[p[1]] == t) for t in range(3)]
    bands = [frozenset(p for p in parts if band[p[0]] == b) for b in range(2)]
    return [total, *topics, *bands]


@settings(max_examples=100, deadline=None)
@given(parts_of_students(), st.integers(K, 6), st.randoms(use_true_random=False))
def test_parts_never_add_up_to_fewer_than_k_people(groups, k, random):
    shown = protect_groups(groups, k, [random.randint(0, 2) for _ in groups], person=lambda part: part[0])
    published = [g for g, s in zip(groups, shown, strict=True) if s]
    assert all(len({s for s, _ in g}) >= k for g in published)
    members = sorted(set().union(*groups))
    assert small_sets_derivable(published, members, k, person=lambda part: part[0]) == []


def test_a_circle_of_few_students_inside_a_bigger_one_is_not_left_to_subtraction():
    # Circle 1 is students 0-6; circle 2 is students 0-3, all of them also in circle 1. By students,
    # the total and circle 1's topic are the same seven; by their parts, the total less the topic
    # is circle 2: four students.
    parts = [(s, 1) for s in range(7)] + [(s, 2) for s in range(4)]
    total, first = frozenset(parts), frozenset(p for p in parts if p[1] == 1)
    assert protect_groups([frozenset(s for s, _ in total), frozenset(s for s, _ in first)], K) == [True, True]
    assert protect_groups([total, first], K, [0, 1], person=lambda part: part[0]) == [True, False]


def test_a_count_carries_the_noise_of_its_set_and_never_reads_below_k():
    keys = [101, 2024, 77_777, 5, 9, 13]
    assert published_count(keys, "m", K) == published_count(list(reversed(keys)), "m", K)
    assert abs(published_count(keys, "m", K) - len(keys)) <= 2
    assert min(published_count(keys[:5], measure, K) for measure in ("a", "b", "c", "d")) >= K
