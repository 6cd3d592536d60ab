"""The well-being questionnaire's scale: its wording, answers and scoring (pure)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.programme import scales
from schoolpeers.programme.scales import WHO5, AnswersRefused


def test_the_who5_has_its_five_items_and_six_answers_in_the_published_order():
    assert len(WHO5.items) == 5
    assert WHO5.items[0] == "I have felt cheerful and in good spirits"
    assert [value for value, _ in WHO5.options] == [5, 4, 3, 2, 1, 0]
    assert WHO5.label_of(5) == "All of the time" and WHO5.label_of(0) == "At no time"
    assert WHO5.raw_max == 25 and WHO5.raw_max * WHO5.multiplier == 100
    assert "Topp" in WHO5.citation and "without permission" in WHO5.licence
    assert scales.SCALES["who5"] is WHO5 is scales.CURRENT


@pytest.mark.parametrize(("answers", "expected"), [
    ([0, 0, 0, 0, 0], 0), ([5, 5, 5, 5, 5], 100), ([3, 3, 3, 3, 3], 60), ([1, 2, 3, 4, 5], 60), ([2, 2, 1, 1, 1], 28)])
def test_the_score_is_the_raw_sum_times_four(answers, expected):
    assert scales.score(WHO5, answers) == expected


@pytest.mark.parametrize(("answers", "worrying"), [
    ([2, 2, 1, 1, 1], True), ([0, 0, 0, 0, 0], True), ([2, 2, 2, 1, 1], False), ([5, 5, 5, 5, 5], False)])
def test_a_raw_score_of_seven_or_below_is_worrying(answers, worrying):
    assert scales.is_worrying(WHO5, answers) is worrying


@given(st.lists(st.integers(0, 5), min_size=5, max_size=5))
def test_every_set_of_answers_scores_within_0_to_100_and_as_text_the_same(answers):
    value = scales.score(WHO5, answers)
    assert 0 <= value <= 100 and value % 4 == 0
    assert scales.score(WHO5, [str(a) for a in answers]) == value
    assert scales.is_worrying(WHO5, answers) == (value <= 28)


@pytest.mark.parametrize(("answers", "position"), [
    ([5, 5, 5, 5], 4), ([5, 5, 5, 5, 5, 5], 4), ([5, 6, 5, 5, 5], 1), ([5, 5, -1, 5, 5], 2), (["x", 5, 5, 5, 5], 0),
    ([5, 5, 5, True, 5], 3), ([5, 5, 5, 5, None], 4), ([5, 5, 5, 5, "2.5"], 4)])
def test_answers_that_do_not_fit_are_refused_at_the_first_wrong_item(answers, position):
    with pytest.raises(AnswersRefused) as refused:
        scales.validated(WHO5, answers)
    assert refused.value.position == position
