"""The district roll-up across schools, attacked with everything it and the schools' own reports publish."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schoolpeers.reports.privacy import HIDDEN, CellStatus, protect_lattice
from schoolpeers.reports.rollup import ROLLUP_LEVELS, WHOLE_DISTRICT, SchoolPart, build_rollup
from tests.reports.auditor import audit_rollup
from tests.reports.schools import lattice_of, small_school

GRADES = ((6, 9), (5, 8), (9, 11), (8, 10))


def district(seeds: list[int], grades: list[tuple[int, int]], *, last=date(2026, 1, 23), k: int = 5,
             sizes=(1, 8)) -> list[SchoolPart]:
    parts = []
    for n, (seed, (low, high)) in enumerate(zip(seeds, grades, strict=True)):
        # a later start for some schools: the roll-up spans periods a school has no data for
        first = date(2025, 9, 1) if n % 2 == 0 else date(2025, 10, 6)
        checkins, concerns = small_school(seed, grades=range(low, high + 1), first=first, last=last, sizes=sizes)
        checkins["mentee_key"] += 10_000 * n  # students of different schools are different people
        lattice = lattice_of(checkins, concerns, grades=(low, high))
        parts.append(SchoolPart(f"school {n}", lattice, protect_lattice(lattice, k)))
    return parts


@pytest.fixture(scope="module")
def three():
    parts = district([1, 2, 3], [(6, 9), (9, 12), (5, 8)])
    return parts, build_rollup(parts, 5)


def district_rows(rollup):
    return [r for r, row in enumerate(rollup.rows) if row.school is None]


def check_properties(parts, rollup) -> None:
    k = rollup.k
    for level in ROLLUP_LEVELS:
        table = rollup.levels[level]
        # (a) a shown district cell counts at least k students
        for r in district_rows(rollup):
            exact = {}
            for part in parts:
                labels = part.lattice.levels[level].labels
                for i, own in enumerate(part.lattice.rows):
                    row = rollup.rows[r]
                    if (row.kind == "district" and own.kind == "school") or \
                            (own.kind == "band" and own.label == row.label):
                        for c, label in enumerate(labels):
                            exact[label] = exact.get(label, 0) + part.lattice.levels[level].values["students"][i, c]
            for c, slot in enumerate(table.periods):
                if table.status["students"][r, c] != CellStatus.HIDDEN:
                    assert exact.get(slot.label, 0) == 0 or exact[slot.label] >= k, (level, rollup.rows[r], slot)
        # (b) a school's cells read exactly as its own report publishes them
        for r, row in enumerate(rollup.rows):
            if row.school is None:
                continue
            part = next(p for p in parts if p.name == row.school)
            own = part.protected.levels[level]
            i = part.lattice.row_index(row.label)
            for c, slot in enumerate(table.periods):
                if slot.label in own.labels:
                    o = own.labels.index(slot.label)
                    for measure in own.display:
                        assert table.display[measure][r, c] == own.display[measure][i, o]
                        assert table.status[measure][r, c] == own.status[measure][i, o]
                else:
                    assert table.status["students"][r, c] == CellStatus.EMPTY
    # (c) the attack on everything published pins no hidden count and narrows none below k
    assert audit_rollup(parts, rollup) == []


def test_the_roll_up_holds_each_school_then_the_district(three):
    parts, rollup = three
    labels = [row.title for row in rollup.rows]
    assert labels[:3] == ["school 0: grades 6–8", "school 0: grades 9–10", "school 0: whole school"]
    assert labels[-1] == WHOLE_DISTRICT
    assert "grades 5–5" in labels and "grades 11–12" in labels  # a band of one school is a district band too
    assert [slot.label for slot in rollup.levels["term"].periods] == ["2025-26 autumn", "2025-26 spring"]


def test_district_cells_are_consistent_with_schools_and_protected(three):
    check_properties(*three)


def test_district_figures_carry_noise_keyed_by_their_students(three):
    parts, rollup = three
    again = build_rollup(parts, 5)
    term = rollup.levels["term"]
    for measure in term.display:
        assert (term.display[measure] == again.levels["term"].display[measure]).all()
    whole = district_rows(rollup)[-1]
    shown = term.values["students"][whole][term.status["students"][whole] == CellStatus.SHOWN]
    exact = sum(p.lattice.levels["term"].values["students"][-1, -1] for p in parts)
    assert len(shown) and abs(int(shown[-1]) - exact) <= 2


def test_a_larger_district_k_hides_more_district_cells_and_no_school_cell(three):
    parts, _ = three
    rollup = build_rollup(parts, 30)
    assert rollup.k == 30
    month = rollup.levels["month"]
    for r in district_rows(rollup):
        shown = month.status["students"][r] == CellStatus.SHOWN
        assert (month.values["students"][r][shown].astype(int) >= 30).all()
    check_properties(parts, rollup)


def test_k_below_five_is_refused(three):
    with pytest.raises(ValueError, match="at least 5"):
        build_rollup(three[0], 4)


def test_no_school_gives_an_empty_roll_up():
    rollup = build_rollup([], 5)
    assert rollup.rows == () and not rollup.has_data()


def test_a_lone_small_school_band_is_not_given_away_by_the_district_band():
    """Two schools; only one has a small grades 9–10 band: the district band would give it away by
    subtracting the other school's, so one of them is hidden."""
    parts = district([11, 12], [(8, 10), (8, 10)], sizes=(3, 9))
    rollup = build_rollup(parts, 5)
    check_properties(parts, rollup)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seeds=st.lists(st.integers(0, 10_000), min_size=2, max_size=6),
       grades=st.lists(st.sampled_from(GRADES), min_size=6, max_size=6),
       k=st.sampled_from([5, 5, 7]), sizes=st.sampled_from([(1, 6), (1, 10), (4, 14)]))
def test_the_roll_up_passes_the_privacy_properties_across_schools(seeds, grades, k, sizes):
    parts = district(seeds, grades[:len(seeds)], last=date(2025, 12, 12), k=k, sizes=sizes)
    rollup = build_rollup(parts, 5)
    check_properties(parts, rollup)
    # (d) the same data gives the same roll-up
    again = build_rollup(parts, 5)
    for level in ROLLUP_LEVELS:
        for measure, display in rollup.levels[level].display.items():
            assert (display == again.levels[level].display[measure]).all()
    assert HIDDEN not in {row.title for row in rollup.rows}
    assert np.all([len(t.periods) for t in rollup.levels.values()])
