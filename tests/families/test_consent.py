"""The consent rules (pure core): who needs consent, and where a student stands."""
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.families.consent import Answer, Decision, Rule, Standing, is_younger, rule_for, standing

T0 = datetime(2026, 9, 1, tzinfo=timezone.utc)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_younger_students_follow_the_stricter_rule():
    assert rule_for(Rule.OPT_OUT, Rule.OPT_IN, grade=7) == Rule.OPT_IN
    assert rule_for(Rule.OPT_OUT, Rule.OPT_IN, grade=8) == Rule.OPT_OUT
    assert rule_for(Rule.OPT_IN, Rule.NOT_REQUIRED, grade=6) == Rule.OPT_IN  # never looser than the role's
    assert rule_for(Rule.NOT_REQUIRED, Rule.OPT_IN, grade=None) == Rule.OPT_IN  # no grade: assumed younger
    assert is_younger(7) and not is_younger(8)


def test_opt_in_waits_for_a_yes_and_opt_out_goes_ahead_unless_declined():
    assert standing(Rule.OPT_IN, []) == Standing.WAITING
    assert standing(Rule.OPT_OUT, []) == Standing.NOT_DECLINED
    assert standing(Rule.NOT_REQUIRED, [Answer(1, Decision.DECLINED, at(0))]) == Standing.NOT_NEEDED
    assert standing(Rule.OPT_IN, [Answer(1, Decision.GIVEN, at(0))]) == Standing.GIVEN
    assert standing(Rule.OPT_OUT, [Answer(None, Decision.DECLINED, at(0))]) == Standing.DECLINED


def test_each_guardians_latest_answer_counts_and_one_no_is_enough():
    gave_then_withdrew = [Answer(1, Decision.GIVEN, at(0)), Answer(1, Decision.WITHDRAWN, at(5))]
    assert standing(Rule.OPT_IN, gave_then_withdrew) == Standing.WITHDRAWN
    assert standing(Rule.OPT_IN, [*gave_then_withdrew, Answer(1, Decision.GIVEN, at(9))]) == Standing.GIVEN
    # Another guardian agreeing does not override one who withdrew.
    assert standing(Rule.OPT_IN, [*gave_then_withdrew, Answer(2, Decision.GIVEN, at(9))]) == Standing.WITHDRAWN
    # Answers of the same instant are ordered by when they were recorded.
    same_time = [Answer(1, Decision.GIVEN, at(0), order=2), Answer(1, Decision.DECLINED, at(0), order=1)]
    assert standing(Rule.OPT_IN, same_time) == Standing.GIVEN


def test_only_some_standings_may_take_part():
    assert {s for s in Standing if s.may_take_part} == {Standing.NOT_NEEDED, Standing.GIVEN, Standing.NOT_DECLINED}


ANSWERS = st.lists(st.builds(Answer, st.sampled_from([None, 1, 2]), st.sampled_from(list(Decision)),
                             st.integers(0, 30).map(at), st.integers(0, 100)),
                   max_size=8, unique_by=lambda a: a.order)  # the order is the event's id: never twice


@given(ANSWERS, st.sampled_from(list(Rule)))
def test_standing_depends_only_on_each_guardians_latest_answer(answers, rule):
    latest = {}
    for a in sorted(answers, key=lambda a: (a.at, a.order)):
        latest[a.guardian_id] = a
    assert standing(rule, answers) == standing(rule, list(latest.values())) == standing(rule, answers[::-1])


@given(ANSWERS)
def test_a_latest_no_from_anyone_stops_and_opt_in_needs_a_yes(answers):
    result = standing(Rule.OPT_IN, answers)
    latest = {}
    for a in sorted(answers, key=lambda a: (a.at, a.order)):
        latest[a.guardian_id] = a.decision
    if any(d != Decision.GIVEN for d in latest.values()):
        assert not result.may_take_part
    assert result.may_take_part == (bool(latest) and all(d == Decision.GIVEN for d in latest.values()))


def test_a_known_birth_date_decides_who_is_younger_before_the_grade():
    from datetime import date

    today = date(2026, 12, 4)
    assert is_younger(9, date(2014, 12, 5), today)  # 11 days short of 13, in grade 9
    assert not is_younger(7, date(2013, 12, 4), today)  # 13 today, in grade 7
    assert rule_for(Rule.OPT_OUT, Rule.OPT_IN, 7, date(2012, 1, 1), today) == Rule.OPT_OUT


@given(st.dates(), st.dates())
def test_age_grows_by_one_each_birthday(born, today):
    from schoolpeers.families.consent import age_on

    if today >= born:
        age = age_on(born, today)
        assert age >= 0 and (today.year - born.year - 1) <= age <= (today.year - born.year)


def test_a_removed_contacts_answers_stay_theirs():
    """Answers keep a key of their own once the contact is gone (by the name recorded), so a removed
    parent's withdrawal is not overridden by another removed parent's later yes."""
    mother_withdrew = Answer("name:Ana Ruiz", Decision.WITHDRAWN, at(0))
    father_agreed = Answer("name:Luis Ruiz", Decision.GIVEN, at(5))
    assert standing(Rule.OPT_IN, [mother_withdrew, father_agreed]) == Standing.WITHDRAWN
