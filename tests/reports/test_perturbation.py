"""Cell-key perturbation: the same students always get the same noise, small and never below the floor."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.reports.perturbation import KEY_SPACE, MAX_NOISE, perturbed, student_key


def test_a_students_key_depends_on_the_secret():
    assert student_key(b"one", 42) == student_key(b"one", 42)
    assert student_key(b"one", 42) != student_key(b"two", 42)
    assert 0 <= student_key(b"one", 42) < KEY_SPACE


@given(st.lists(st.integers(0, 500), min_size=1, max_size=50), st.integers(0, 2**31), st.integers(5, 10))
def test_noise_is_bounded_repeatable_and_keeps_the_floor_and_zeros(counts, seed, floor):
    counts = np.array(counts)
    keys = (np.arange(len(counts), dtype=np.uint64) * np.uint64(2654435761) + np.uint64(seed)) % np.uint64(KEY_SPACE)
    once = perturbed(counts, keys, "students", floor=floor)
    assert (once == perturbed(counts, keys, "students", floor=floor)).all()
    assert (once[counts == 0] == 0).all()
    nonzero = counts > 0
    assert (once[nonzero] >= floor).all()
    assert (np.abs(once[nonzero] - np.maximum(counts[nonzero], floor)) <= MAX_NOISE + floor).all()
    assert (np.abs(once[counts >= floor + MAX_NOISE] - counts[counts >= floor + MAX_NOISE]) <= MAX_NOISE).all()


def test_noise_differs_between_measures_and_sets_of_students_and_averages_out():
    keys = np.arange(20_000, dtype=np.uint64) * np.uint64(2654435761) % np.uint64(KEY_SPACE)
    counts = np.full(len(keys), 100)
    students = perturbed(counts, keys, "students", floor=5) - 100
    checkins = perturbed(counts, keys, "checkins", floor=5) - 100
    assert abs(students.mean()) < 0.05 and 0.6 < students.var() < 1.0  # mean 0, variance 0.8
    assert (students != checkins).mean() > 0.4  # a measure's noise is its own
    assert set(np.unique(perturbed(counts, keys, "low_count", floor=0, small=True) - 100)) == {-1, 0, 1}
