"""Small synthetic schools for the lattice and its protection: grades of 1 to 14 students."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from schoolpeers.reports.lattice import build_lattice, grade_bands, lattice_rows
from schoolpeers.reports.perturbation import student_key

SECRET = b"test report secret"
TOPICS = ("exams", "friendships", "family", "sleep", "sport", "online")


def small_school(seed: int, *, grades=range(6, 13), first=date(2025, 9, 1), last=date(2026, 7, 17),
                 sizes=(1, 14), weekly=0.5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A school of small grades: each student checks in on about `weekly` of the school weeks."""
    rng = np.random.default_rng(seed)
    days = [d.date() for d in pd.bdate_range(first, last)]
    visits, concerns, key = [], [], 1
    for grade in grades:
        for _ in range(rng.integers(*sizes, endpoint=True)):
            for week in range(0, len(days), 5):
                if rng.random() < weekly:
                    day = days[min(week + rng.integers(0, 5), len(days) - 1)]
                    rating = int(rng.choice(5, p=[0.08, 0.17, 0.35, 0.27, 0.13]) + 1)
                    visits.append({"mentee_key": key, "grade": grade, "occurred_on": day, "wellbeing": rating,
                                   "school_work": float(rng.integers(1, 6)) if rng.random() < 0.6 else np.nan,
                                   "friendships": np.nan, "home": np.nan, "sleep_energy": np.nan,
                                   "topics": list(rng.choice(TOPICS, rng.integers(0, 3), replace=False))})
                    if rng.random() < 0.03:
                        concerns.append({"mentee_key": key, "grade": grade, "raised_on": day,
                                         "severity": str(rng.choice(["high", "medium", "low"]))})
            key += 1
    return (pd.DataFrame(visits),
            pd.DataFrame(concerns, columns=["mentee_key", "grade", "raised_on", "severity"]))


def lattice_of(checkins, concerns, grades=(6, 12)):
    rows = lattice_rows(*grades, grade_bands(*grades))
    keys = {int(m): student_key(SECRET, int(m)) for m in pd.unique(checkins["mentee_key"])}
    return build_lattice(checkins, concerns, rows=rows, student_keys=keys)
