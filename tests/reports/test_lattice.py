"""The publication lattice: every row and level counts what it holds, and cell keys add up like counts."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolpeers.reports.lattice import LEVELS, build_lattice, grade_bands, lattice_rows
from schoolpeers.reports.perturbation import record_keys, student_key
from schoolpeers.reports.trends import DEFAULT_TERMS, DOMAINS, Term, TermCalendar, period_slot
from tests.reports.schools import SECRET, lattice_of, small_school

# Terms that do not start on the first of a month: a month may then lie across two terms.
MID_MONTH_TERMS = TermCalendar((Term("autumn", 9, 15), Term("spring", 1, 10), Term("summer", 4, 20)))


@pytest.fixture(scope="module")
def school():
    checkins, concerns = small_school(7)
    return checkins, concerns, lattice_of(checkins, concerns)


def test_every_row_and_level_counts_the_students_and_checkins_it_holds(school):
    checkins, _, lattice = school
    month = lattice.levels["month"]
    march = [s.label for s in month.periods].index("2026-03")
    in_march = checkins[pd.to_datetime(checkins["occurred_on"]).dt.strftime("%Y-%m") == "2026-03"]
    for r, row in enumerate(lattice.rows):
        rows = in_march[in_march["grade"].isin(row.grades)]
        assert month.values["students"][r, march] == rows["mentee_key"].nunique()
        assert month.values["checkins"][r, march] == len(rows)
        assert month.values["low_students"][r, march] == rows.loc[rows["wellbeing"] <= 2, "mentee_key"].nunique()
    year = lattice.levels["year"]
    assert [s.label for s in year.periods] == ["2025-26"]
    assert year.values["students"][-1, 0] == checkins["mentee_key"].nunique()


def test_the_same_students_get_the_same_cell_key_wherever_they_appear(school):
    _, _, lattice = school
    term, year = lattice.levels["term"], lattice.levels["year"]
    # A band whose grades are all of a row's students has that row's key: keys add up like counts.
    assert term.keys["students"][-1, 0] == np.mod(sum(term.keys["students"][r, 0] for r in range(7)), 2**32)
    assert year.values["students"][-1, 0] == sum(year.values["students"][r, 0] for r in range(7))


def test_concern_students_are_counted_once_per_term_and_severity(school):
    _, concerns, lattice = school
    autumn = concerns[pd.to_datetime(concerns["raised_on"]) < pd.Timestamp(2026, 1, 1)]
    for severity, counts in lattice.concern_students.items():
        assert counts[0] == autumn.loc[autumn["severity"] == severity, "mentee_key"].nunique()


@pytest.mark.parametrize(("day", "label", "start", "end"), [
    (date(2025, 9, 1), "2025-26", date(2025, 9, 1), date(2026, 8, 31)),
    (date(2026, 8, 31), "2025-26", date(2025, 9, 1), date(2026, 8, 31)),
    (date(2026, 1, 15), "2025-26", date(2025, 9, 1), date(2026, 8, 31)),
    (date(2026, 9, 1), "2026-27", date(2026, 9, 1), date(2027, 8, 31)),
])
def test_a_school_year_runs_from_the_first_term_to_the_day_before_the_next(day, label, start, end):
    year = DEFAULT_TERMS.year_containing(day)
    assert (year.label, year.start, year.end) == (label, start, end)


@st.composite
def school_data(draw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random check-ins and concerns over a few months. A student has one grade, as the services load
    it: the grade the student has now."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows, students = draw(st.integers(0, 80)), draw(st.integers(1, 15))
    start = date(2025, 7, 1) + timedelta(days=draw(st.integers(0, 400)))
    days = [start + timedelta(days=int(offset)) for offset in rng.integers(0, draw(st.integers(1, 150)), rows)]
    domain = {d: [None if rng.random() < 0.4 else int(v) for v in rng.integers(1, 6, rows)] for d in DOMAINS}
    visits = pd.DataFrame(
        {
            "mentee_key": (mentees := rng.integers(0, students, rows)) * 1009 + 7,
            "grade": 6 + mentees % 3,
            "occurred_on": days,
            "wellbeing": rng.integers(1, 6, rows),
            **domain,
            "topics": [
                list(rng.choice(["exams", "friends", "home", "sleep"], rng.integers(0, 3), replace=False))
                for _ in range(rows)
            ],
        }
    )
    raised_rows = draw(st.integers(0, 20))
    raised = pd.DataFrame(
        {
            "mentee_key": (raised_mentees := rng.integers(0, students, raised_rows)) * 1009 + 7,
            "grade": 6 + raised_mentees % 3,
            "raised_on": [start + timedelta(days=int(offset)) for offset in rng.integers(0, 100, raised_rows)],
            "severity": rng.choice(["high", "medium", "low"], raised_rows),
        }
    )
    return visits, raised



@settings(max_examples=30, deadline=None)
@given(data=school_data())
def test_every_cell_matches_a_plain_groupby(data):
    """Grade cells against pandas' groupby of the rows; bands and the school against their grades' rows."""
    visits, raised = data
    lattice = lattice_of(visits, raised, grades=(6, 8))
    rows = [row.label for row in lattice.rows]
    for level in LEVELS:
        table = lattice.levels[level]
        labels = table.labels
        labelled = visits.assign(period=[period_slot(d, level).label for d in visits["occurred_on"]],
                                 low=visits["wellbeing"] <= 2)
        for row in lattice.rows:
            chosen = labelled[labelled["grade"].isin(row.grades)]
            plain = chosen.groupby("period").agg(students=("mentee_key", "nunique"), checkins=("mentee_key", "size"),
                                                 wellbeing_sum=("wellbeing", "sum"), low_count=("low", "sum"))
            low = chosen[chosen["low"]].groupby("period")["mentee_key"].nunique()
            r = rows.index(row.label)
            for p, label in enumerate(labels):
                expected = plain.loc[label] if label in plain.index else None
                for name in ("students", "checkins", "wellbeing_sum", "low_count"):
                    assert table.values[name][r, p] == (expected[name] if expected is not None else 0), (level, name)
                assert table.values["low_students"][r, p] == low.get(label, 0)


@settings(max_examples=30, deadline=None)
@given(data=school_data(), terms=st.sampled_from([DEFAULT_TERMS, MID_MONTH_TERMS]))
def test_distinct_students_and_cell_keys_match_sets_of_the_rows(data, terms):
    """Every count of distinct students (all, per domain answered, per topic) and every cell key, against
    plain sets of each cell's rows; with terms starting on the first of a month and mid-month."""
    visits, raised = data
    rows = lattice_rows(6, 8, grade_bands(6, 8))
    keys = {int(m): student_key(SECRET, int(m)) for m in pd.unique(visits["mentee_key"])}
    lattice = build_lattice(visits, raised, rows=rows, student_keys=keys, terms=terms)
    for level in LEVELS:
        table = lattice.levels[level]
        period = {slot.label: p for p, slot in enumerate(table.periods)}
        students, checkin_keys = defaultdict(set), defaultdict(int)
        for visit in visits.itertuples():
            p = period[period_slot(visit.occurred_on, level, terms).label]
            day = np.array([visit.occurred_on], dtype="datetime64[D]")
            key = int(record_keys(np.array([keys[visit.mentee_key]]), day)[0])
            for r in (r for r, row in enumerate(rows) if visit.grade in row.grades):
                checkin_keys[r, p] += key
                students["students", r, p].add(visit.mentee_key)
                for d in DOMAINS:
                    if not pd.isna(getattr(visit, d)):
                        students[f"{d}_students", r, p].add(visit.mentee_key)
                for topic in visit.topics:
                    students[topic, r, p].add(visit.mentee_key)
        shape = (len(rows), len(table.periods))
        for name in ("students", *(f"{d}_students" for d in DOMAINS), *table.topic_names):
            counts, key_sums = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.uint64)
            for (found, r, p), who in students.items():
                if found == name:
                    counts[r, p], key_sums[r, p] = len(who), sum(keys[m] for m in who) % 2**32
            if name in table.topic_names:
                t = table.topic_names.index(name)
                assert (table.topic_students[t] == counts).all() and (table.topic_keys[t] == key_sums).all()
            else:
                assert (table.values[name] == counts).all() and (table.keys[name] == key_sums).all(), (level, name)
        expected = np.zeros(shape, dtype=np.uint64)
        for (r, p), total in checkin_keys.items():
            expected[r, p] = total % 2**32
        assert (table.keys["checkins"] == expected).all()


def test_topics_may_come_as_lists_tuples_or_a_lone_name(school):
    """The topics column holds any sequence of names (or one name, or none): the lattice is the same,
    and topics are numbered in the order they first appear."""
    checkins, concerns, lattice = school
    as_tuples = checkins.assign(topics=[tuple(t) if t else None for t in checkins["topics"]])
    lone = checkins.assign(topics=[t[0] if t and len(t) == 1 else t for t in checkins["topics"]])
    first_seen = list(dict.fromkeys(name for names in checkins["topics"] if names for name in names))
    for other in (lattice_of(as_tuples, concerns), lattice_of(lone, concerns)):
        for level in LEVELS:
            mine, theirs = lattice.levels[level], other.levels[level]
            assert mine.topic_names == theirs.topic_names == tuple(first_seen)
            assert (mine.topic_students == theirs.topic_students).all() and (mine.topic_keys == theirs.topic_keys).all()
