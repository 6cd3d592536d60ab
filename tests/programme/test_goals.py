"""A pair's goals: the rules on plain data (one to three, never losing a goal with progress), and the
progress a mentor records with a check-in."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.programme import agreements, goals
from schoolpeers.programme.goal_rules import (
    GoalRefusal,
    GoalText,
    ProgressMark,
    StoredGoal,
    goals_after,
    latest_by_goal,
    plan_goals,
    progress_by_goal,
)
from schoolpeers.programme.models import GOAL_AREAS, MAX_GOALS, Goal, GoalProgress
from schoolpeers.timeutil import utcnow

AREAS = sorted(GOAL_AREAS)

# --- the rules, on plain data --------------------------------------------------------------------


def test_new_changed_and_removed_goals():
    stored = [StoredGoal(1, 1, "friendships", "Say hello to someone new"), StoredGoal(2, 2, "home", "Tidy room")]
    changes = plan_goals(stored, [GoalText("friendships", "Say  hello to\nsomeone new"), GoalText(),
                                  GoalText("confidence", "Ask one question in class")], GOAL_AREAS, MAX_GOALS)
    assert changes.create == [(3, "confidence", "Ask one question in class")]
    assert changes.delete == [2] and changes.update == []  # spaces tidied: the first goal is unchanged


@pytest.mark.parametrize(("slots", "field", "words"), [
    ([GoalText(), GoalText()], "area_1", "at least one goal"),
    ([GoalText("sport", "Run")], "area_1", "from the list"),
    ([GoalText("", "Run")], "area_1", "what this goal is about"),
    ([GoalText("health"), GoalText()], "wording_1", "own words"),
    ([GoalText("health", "x" * 301)], "wording_1", "At most 300"),
    ([GoalText("health", "Sleep more"), GoalText("health", "sleep  more")], "wording_2", "twice"),
    ([GoalText("health", "a"), GoalText("home", "b"), GoalText("other", "c"), GoalText("feelings", "d")],
     "area_1", "At most 3"),
])
def test_what_goals_must_say(slots, field, words):
    with pytest.raises(GoalRefusal, match=words) as refused:
        plan_goals([], slots, GOAL_AREAS, MAX_GOALS)
    assert refused.value.field == field


def test_a_goal_with_progress_keeps_its_place_and_area_but_may_be_reworded():
    stored = [StoredGoal(7, 2, "friendships", "Talk to someone new", has_progress=True)]
    with pytest.raises(GoalRefusal, match="so it stays") as removed:
        plan_goals(stored, [GoalText("home", "Help at home"), GoalText()], GOAL_AREAS, MAX_GOALS)
    assert removed.value.field == "wording_2"
    with pytest.raises(GoalRefusal, match="what it is about stays") as moved:
        plan_goals(stored, [GoalText(), GoalText("home", "Talk to someone new")], GOAL_AREAS, MAX_GOALS)
    assert moved.value.field == "area_2"
    reworded = plan_goals(stored, [GoalText(), GoalText("friendships", "Talk to two new people")], GOAL_AREAS,
                          MAX_GOALS)
    assert reworded.update == [(7, "friendships", "Talk to two new people")] and not reworded.delete


slot = st.one_of(st.just(GoalText()), st.builds(GoalText, st.sampled_from(AREAS),
                                                 st.text(alphabet="ab c", min_size=1, max_size=6)))


@st.composite
def stored_goals(draw):
    positions = draw(st.lists(st.integers(1, MAX_GOALS), unique=True, max_size=MAX_GOALS))
    return [StoredGoal(100 + p, p, draw(st.sampled_from(AREAS)), draw(st.text(alphabet="ab c", min_size=1,
                                                                               max_size=6)).strip() or "a",
                       has_progress=draw(st.booleans())) for p in positions]


@given(stored_goals(), st.lists(slot, min_size=MAX_GOALS, max_size=MAX_GOALS))
def test_saved_goals_read_as_the_form_and_progress_is_never_lost(stored, slots):
    try:
        changes = plan_goals(stored, slots, GOAL_AREAS, MAX_GOALS)
    except GoalRefusal as refused:
        assert refused.field in {f"{kind}_{n}" for kind in ("area", "wording") for n in range(1, MAX_GOALS + 1)}
        return
    after = goals_after(stored, changes)
    wanted = tuple((n, s.area, " ".join(s.wording.split())) for n, s in enumerate(slots, 1) if s.area)
    assert after == wanted and 1 <= len(after) <= MAX_GOALS
    kept = {g.id for g in stored} - set(changes.delete)
    assert all(g.id in kept for g in stored if g.has_progress)
    assert all(area == next(g.area for g in stored if g.id == goal_id) for goal_id, area, _ in changes.update
               if next(g for g in stored if g.id == goal_id).has_progress)
    assert {p for p, _, _ in changes.create}.isdisjoint({g.position for g in stored if g.id in kept})


@given(st.lists(st.builds(ProgressMark, st.integers(1, 3), st.dates(date(2026, 1, 1), date(2026, 12, 31)),
                          st.integers(1, 50), st.integers(1, 4)),
                max_size=20, unique_by=lambda m: (m.goal_id, m.checkin_id)))  # one mark per goal and check-in
def test_progress_over_time_is_in_order_and_the_latest_is_the_last(marks):
    over_time = progress_by_goal(marks)
    assert sum(map(len, over_time.values())) == len(marks)
    for goal_id, series in over_time.items():
        assert all(m.goal_id == goal_id for m in series)
        assert [(m.occurred_on, m.checkin_id) for m in series] == sorted((m.occurred_on, m.checkin_id) for m in series)
        assert latest_by_goal(marks)[goal_id] == max((m for m in marks if m.goal_id == goal_id),
                                                     key=lambda m: (m.occurred_on, m.checkin_id))


# --- progress at check-ins -----------------------------------------------------------------------

def with_goals(mentorship, *texts):
    agreements.save_agreement(mentorship, mentorship.mentor, agreements.AgreementData(
        "weekly", "Library", goals=[GoalText(area, words) for area, words in texts], mentor_agreed=True),
        utcnow(), date.today())
    db.session.commit()
    return goals.goals_of(mentorship)


def a_checkin(mentorship, on=None):
    checkin, _ = checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(
        on or date.today(), 20, "online", 4), date.today())
    db.session.commit()
    return checkin


def test_progress_is_recorded_changed_and_cleared_with_a_check_in(mentorship):
    first, second = with_goals(mentorship, ("friendships", "Talk to someone new"), ("school_work", "Plan homework"))
    checkin = a_checkin(mentorship)
    assert goals.record_progress(checkin, mentorship.mentor, {first.id: 2, second.id: None}, utcnow()) == 1
    assert goals.progress_at(checkin) == {first.id: 2}
    assert goals.record_progress(checkin, mentorship.mentor, {first.id: 3, second.id: 1}, utcnow()) == 2
    assert goals.record_progress(checkin, mentorship.mentor, {first.id: 3, second.id: None}, utcnow()) == 1
    db.session.commit()
    assert goals.progress_at(checkin) == {first.id: 3}


def test_the_latest_progress_and_progress_over_time(mentorship):
    (goal,) = with_goals(mentorship, ("confidence", "Speak up once a lesson"))
    older, newer = a_checkin(mentorship, date.today() - timedelta(days=7)), a_checkin(mentorship)
    goals.record_progress(newer, mentorship.mentor, {goal.id: 4}, utcnow())
    goals.record_progress(older, mentorship.mentor, {goal.id: 2}, utcnow())
    db.session.commit()
    assert [(m.checkin_id, m.progress) for m in goals.progress_over_time(mentorship)[goal.id]] == [
        (older.id, 2), (newer.id, 4)]
    assert goals.latest_progress(mentorship)[goal.id].progress == 4


def test_progress_only_on_the_pairs_goals_by_its_mentor_within_a_day(mentorship, make_user):
    (goal,) = with_goals(mentorship, ("home", "Help cook once a week"))
    checkin = a_checkin(mentorship)
    with pytest.raises(goals.ProgressError) as bad:
        goals.record_progress(checkin, mentorship.mentor, {goal.id: 9}, utcnow())
    assert bad.value.field == f"goal_{goal.id}"
    with pytest.raises(goals.ProgressError):
        goals.record_progress(checkin, mentorship.mentor, {goal.id + 1000: 2}, utcnow())
    with pytest.raises(goals.ProgressError, match="24 hours"):
        goals.record_progress(checkin, make_user("student"), {goal.id: 2}, utcnow())
    with pytest.raises(goals.ProgressError, match="24 hours"):
        goals.record_progress(checkin, mentorship.mentor, {goal.id: 2}, utcnow() + timedelta(hours=25))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(GoalProgress)) == 0


def test_a_goal_with_progress_cannot_be_removed_by_editing_the_agreement(mentorship):
    kept, spare = with_goals(mentorship, ("friendships", "Join a club"), ("health", "Sleep before eleven"))
    goals.record_progress(a_checkin(mentorship), mentorship.mentor, {kept.id: 3}, utcnow())
    db.session.commit()
    with pytest.raises(GoalRefusal, match="so it stays"):
        agreements.save_agreement(mentorship, mentorship.mentor, agreements.AgreementData(
            "weekly", "Library", goals=[GoalText(), GoalText("health", "Sleep before eleven")],
            mentor_agreed=True), utcnow(), date.today())
    db.session.rollback()
    agreements.save_agreement(mentorship, mentorship.mentor, agreements.AgreementData(
        "weekly", "Library", goals=[GoalText("friendships", "Join a club")], mentor_agreed=True),
        utcnow(), date.today())
    db.session.commit()
    assert [g.id for g in goals.goals_of(mentorship)] == [kept.id]  # the one without progress may go
    assert db.session.get(Goal, spare.id) is None
