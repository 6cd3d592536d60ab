"""Growing sign-in delays: free failures first, then doubling waits under a ceiling."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.accounts.sign_in_delays import DelayRule, wait_seconds

rules = st.builds(lambda free, first, extra: DelayRule(free, first, first + extra),
                  st.integers(0, 20), st.integers(1, 600), st.integers(0, 86_400))
failures = st.integers(0, 10_000)


def test_the_free_failures_cost_nothing_then_the_wait_doubles_to_the_ceiling():
    rule = DelayRule(free=3, first_seconds=2, max_seconds=30)
    assert [wait_seconds(n, rule) for n in range(9)] == [0, 0, 0, 2, 4, 8, 16, 30, 30]


@given(rules, failures)
def test_no_wait_while_free_and_never_past_the_ceiling(rule, n):
    wait = wait_seconds(n, rule)
    assert (wait == 0) == (n < rule.free)
    assert wait <= rule.max_seconds


@given(rules, failures)
def test_one_more_failure_never_shortens_the_wait(rule, n):
    assert wait_seconds(n + 1, rule) >= wait_seconds(n, rule)


@given(rules)
def test_the_ceiling_is_reached(rule):
    assert wait_seconds(rule.free + rule.max_seconds.bit_length() + 1, rule) == rule.max_seconds


@pytest.mark.parametrize("free, first, top", [(-1, 1, 2), (1, 0, 2), (1, 5, 4)])
def test_a_rule_that_makes_no_sense_is_refused(free, first, top):
    with pytest.raises(ValueError):
        DelayRule(free, first, top)
