"""The library's session plans: what a plan must say, titles per school, the starter plans, and which
plans a circle's session is scheduled from."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from schoolpeers.accounts.models import DEFAULT_TOPICS, Topic
from schoolpeers.extensions import db
from schoolpeers.resources import plans
from schoolpeers.resources.models import PLAN_MINUTES, SessionPlan
from schoolpeers.resources.plan_starter import SAFETY_LINE, STARTER_PLANS
from schoolpeers.resources.plans import PlanData, PlanError


def topic(school, name) -> Topic:
    return db.session.scalar(select(Topic).where(Topic.school_id == school.id, Topic.name == name))


def data(title="Breathing together", **more) -> PlanData:
    parts = {"opening_round": "One word each.", "activity": "Pairs share a hope.",
             "coping_skill": "In for four, out for six.", "closing_round": "One word each."}
    return PlanData(title=title, minutes=more.pop("minutes", 45), **(parts | more))


def plan_count(school) -> int:
    return db.session.scalar(select(func.count()).select_from(SessionPlan).where(SessionPlan.school_id == school.id))


def test_a_plan_is_saved_tidied_and_changed_in_place(school, users):
    counselor = users["counselor"]
    exams = topic(school, "exam stress")
    saved = plans.save_plan(school, data(title="  Exam week  ", topic_id=exams.id, source=" NHS "), counselor)
    assert (saved.title, saved.topic.name, saved.source, saved.created_by_id) == (
        "Exam week", "exam stress", "NHS", counselor.id)
    plans.save_plan(school, data(title="Exam week, again", activity="  Draw a bag.  ", minutes=60), counselor, saved)
    assert (saved.title, saved.activity, saved.minutes, saved.topic) == ("Exam week, again", "Draw a bag.", 60, None)
    assert plan_count(school) == 1


@pytest.mark.parametrize(("bad", "field"), [
    ({"title": "  ab  "}, "title"), ({"title": "x" * 121}, "title"),
    ({"opening_round": " "}, "opening_round"), ({"activity": ""}, "activity"),
    ({"coping_skill": "x" * 2001}, "coping_skill"), ({"closing_round": "\n"}, "closing_round"),
    ({"minutes": None}, "minutes"), ({"minutes": PLAN_MINUTES[0] - 1}, "minutes"),
    ({"minutes": PLAN_MINUTES[1] + 1}, "minutes"), ({"topic_id": 10**9}, "topic_id"),
    ({"source": "x" * 301}, "source"),
])
def test_what_a_plan_must_say(school, users, bad, field):
    with pytest.raises(PlanError) as refused:
        plans.save_plan(school, data(**bad), users["counselor"])
    assert refused.value.field == field and plan_count(school) == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=130),
       minutes=st.integers(0, 200), part=st.integers(0, 2100))
def test_a_plan_is_accepted_exactly_within_its_bounds(school, users, title, minutes, part):
    fits = 3 <= len(title.strip()) <= 120 and PLAN_MINUTES[0] <= minutes <= PLAN_MINUTES[1] and 1 <= part <= 2000
    try:
        plans.save_plan(school, data(title=title, minutes=minutes, activity="a" * part), users["counselor"])
        accepted = True
    except PlanError:
        accepted = False
    finally:
        db.session.rollback()  # each example starts from an empty library
    assert accepted == fits


def test_titles_are_unique_in_a_school_whatever_the_capitals(school, other_school, users):
    counselor = users["counselor"]
    first = plans.save_plan(school, data(), counselor)
    with pytest.raises(PlanError, match="already") as refused:
        plans.save_plan(school, data(title="BREATHING together"), counselor)
    assert refused.value.field == "title"
    plans.save_plan(school, data(), counselor, first)  # saving a plan under its own title
    plans.save_plan(other_school, data(), counselor)  # another school's library
    assert plan_count(school) == plan_count(other_school) == 1


def test_a_topic_or_plan_of_another_school_is_refused(school, other_school, users):
    theirs = topic(other_school, "friendships")
    with pytest.raises(PlanError) as refused:
        plans.save_plan(school, data(topic_id=theirs.id), users["counselor"])
    assert refused.value.field == "topic_id"
    their_plan = plans.save_plan(other_school, data(), users["counselor"])
    with pytest.raises(PlanError, match="another school"):
        plans.save_plan(school, data(title="Ours now"), users["counselor"], their_plan)


def test_the_starter_plans_are_added_once_on_the_schools_topics(school, users):
    counselor = users["counselor"]
    assert plans.starter_plans_missing(school.id) == len(STARTER_PLANS)
    assert plans.add_starter_plans(school, counselor) == len(STARTER_PLANS)
    assert plans.add_starter_plans(school, counselor) == 0
    assert plans.starter_plans_missing(school.id) == 0
    library = {p.title: p for p in db.session.scalars(select(SessionPlan).where(SessionPlan.school_id == school.id))}
    assert library["When exams pile up"].topic.name == "exam stress"
    assert library["Getting to know each other"].topic is None
    assert all(p.source and p.closing_round.endswith(SAFETY_LINE) and p.created_by_id == counselor.id
               for p in library.values())


def test_a_starter_plan_missing_or_renamed_is_added_again_and_one_retired_is_not(school, users):
    counselor = users["counselor"]
    plans.add_starter_plans(school, counselor)
    library = {p.title: p for p in db.session.scalars(select(SessionPlan).where(SessionPlan.school_id == school.id))}
    plans.set_active(library["New here"], False)
    renamed = library["Our last session"]
    plans.save_plan(school, data(title="Goodbye circle"), counselor, renamed)
    assert plans.starter_plans_missing(school.id) == 1
    assert plans.add_starter_plans(school, counselor) == 1 and plan_count(school) == len(STARTER_PLANS) + 1


def test_a_school_without_a_default_topic_keeps_the_starter_plan_for_any_circle(school, users):
    db.session.delete(topic(school, "family changes"))
    db.session.flush()
    plans.add_starter_plans(school, users["counselor"])
    loss = db.session.scalar(select(SessionPlan).where(SessionPlan.title == "Changes and loss"))
    assert loss.topic is None


def test_the_starter_plans_are_whole_and_fit_the_rules():
    titles = [p.title.lower() for p in STARTER_PLANS]
    assert 6 <= len(STARTER_PLANS) <= 8 and len(set(titles)) == len(titles)
    for starter in STARTER_PLANS:
        assert starter.topic is None or starter.topic in DEFAULT_TOPICS
        assert PLAN_MINUTES[0] <= starter.minutes <= PLAN_MINUTES[1] and starter.source
        assert all(0 < len(text) <= plans.MAX_PART for text in (
            starter.opening_round, starter.activity, starter.coping_skill, starter.closing))


def test_lists_of_active_and_retired_plans(school, other_school, users):
    counselor = users["counselor"]
    b = plans.save_plan(school, data(title="Beta"), counselor)
    a = plans.save_plan(school, data(title="Alpha"), counselor)
    gone = plans.save_plan(school, data(title="Gone"), counselor)
    plans.save_plan(other_school, data(title="Theirs"), counselor)
    plans.set_active(gone, False)
    assert list(db.session.scalars(plans.plans_query(school.id))) == [a, b]
    assert list(db.session.scalars(plans.plans_query(school.id, retired=True))) == [gone]


def test_a_circles_topic_has_its_plans_first_then_general_ones(school, other_school, users):
    counselor = users["counselor"]
    exams, friends = topic(school, "exam stress"), topic(school, "friendships")
    general_z = plans.save_plan(school, data(title="Zebra stripes"), counselor)
    general_a = plans.save_plan(school, data(title="Any day"), counselor)
    for_exams = plans.save_plan(school, data(title="Mock exams", topic_id=exams.id), counselor)
    plans.save_plan(school, data(title="Friends", topic_id=friends.id), counselor)
    retired = plans.save_plan(school, data(title="Exams, old", topic_id=exams.id), counselor)
    plans.set_active(retired, False)
    plans.save_plan(other_school, data(title="Their general"), counselor)
    assert plans.plans_for_topic(school.id, exams.id) == [for_exams, general_a, general_z]
    assert plans.plans_for_topic(school.id, None) == [general_a, general_z]
