"""The one vocabulary of severity: ordered by rank, not by spelling."""
from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.severity import MOST_URGENT_FIRST, WORRIES, Severity, highest

severities = st.sampled_from(list(Severity))


def test_ranked_low_to_high_whatever_the_alphabet_says():
    assert Severity.LOW < Severity.MEDIUM < Severity.HIGH
    assert Severity.HIGH > "low" and "high" < "low"  # plain text alone would sort high first
    assert MOST_URGENT_FIRST == (Severity.HIGH, Severity.MEDIUM, Severity.LOW)
    assert WORRIES == (Severity.MEDIUM, Severity.HIGH) and Severity.HIGH.label == "High"


@given(st.lists(st.one_of(severities, severities.map(str))))
def test_highest_is_the_most_urgent_of_text_or_members(values):
    top = highest(values)
    assert top is None if not values else all(top >= v for v in values) and top in values
