"""What a reader can bound of the circles report's hidden rows (pure): rows that add up never leave a
hidden row capped below k."""
from schoolpeers.circles.report_bounds import RowFigures, mend_bounds

K = 5
CIRCLES = frozenset({"circle 1", "circle 2"})


def total(students, attendances, units=CIRCLES):
    return RowFigures("total", frozenset(units), None, students, attendances)


def band(label, students, attendances):
    return RowFigures("band", None, label, students, attendances)


def topic(units, students, attendances):
    return RowFigures("topic", frozenset(units), None, students, attendances)


def test_two_hidden_bands_that_share_fewer_than_k_plus_one_hide_the_total():
    # Five students, four of one band and one of another: each hidden band is at most four.
    rows = [total(5, 10, {"circle 1"}), band("6-8", 4, 8), band("9-10", 1, 2)]
    assert mend_bounds(rows, [True, False, False], K, frozenset({"circle 1"})) == [False, False, False]


def test_hidden_bands_with_room_enough_stay_beside_a_shown_total():
    rows = [total(12, 24, {"circle 1"}), band("6-8", 6, 12), band("9-10", 4, 8), band("11-12", 2, 4)]
    assert mend_bounds(rows, [True, True, False, False], K, frozenset({"circle 1"})) == [True, True, False, False]


def test_a_shown_band_that_leaves_a_hidden_one_below_k_is_hidden_too():
    rows = [total(12, 24, {"circle 1"}), band("6-8", 7, 14), band("9-10", 3, 6), band("11-12", 2, 4)]
    assert mend_bounds(rows, [True, True, False, False], K, frozenset({"circle 1"})) == [True, False, False, False]


def test_attendances_left_over_cap_the_students_of_a_hidden_topic():
    # Circle 2's topic: two students, four attendances; the total less circle 1's topic gives them.
    rows = [total(12, 40), topic({"circle 1"}, 10, 36), topic({"circle 2"}, 2, 4)]
    shown = mend_bounds(rows, [True, True, False], K, CIRCLES)
    assert shown[2] is False and shown.count(True) == 1


def test_nothing_is_hidden_where_nothing_is_capped():
    rows = [total(20, 60), topic({"circle 1"}, 10, 30), topic({"circle 2"}, 10, 30)]
    assert mend_bounds(rows, [True, True, True], K, CIRCLES) == [True, True, True]
