"""The library's rules: what a resource must say, the starter set, and what is suggested to whom."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import Topic
from schoolpeers.extensions import db
from schoolpeers.resources import services
from schoolpeers.resources.models import Resource, ResourceTopic
from schoolpeers.resources.services import ResourceData, ResourceError
from schoolpeers.resources.starter import STARTER_SET


def topic(school, name) -> Topic:
    return db.session.scalar(select(Topic).where(Topic.school_id == school.id, Topic.name == name))


def data(title="Breathe", body="In for four, out for six.", **more) -> ResourceData:
    return ResourceData(title, body, more.pop("review_on", date.today() + timedelta(days=30)), **more)


def test_a_resource_is_saved_with_its_topics_and_changed_in_place(school, users):
    counselor = users["counselor"]
    saved = services.save_resource(school, data(topics=[topic(school, "exam stress")], grade_min=7, grade_max=9,
                                                service_name="Kooth", service_contact="kooth.com"), counselor)
    assert [t.name for t in saved.topics] == ["exam stress"] and saved.suits_grade(8) and not saved.suits_grade(10)
    services.save_resource(school, data(title="Breathe slowly", topics=[topic(school, "friendships")]), counselor,
                           saved)
    assert saved.title == "Breathe slowly" and [t.name for t in saved.topics] == ["friendships"]
    assert db.session.scalar(select(func.count()).select_from(ResourceTopic)) == 1


@pytest.mark.parametrize(("bad", "field"), [
    ({"title": "  "}, "title"), ({"body": ""}, "body"), ({"body": "x" * 1501}, "body"),
    ({"grade_min": 9, "grade_max": 7}, "grade_max"), ({"link": "javascript:alert(1)"}, "link"),
    ({"link": "www.example.org"}, "link"), ({"service_contact": "0800 11 11"}, "service_name"),
])
def test_what_a_resource_must_say(school, users, bad, field):
    with pytest.raises(ResourceError) as refused:
        services.save_resource(school, data(**bad), users["counselor"])
    assert refused.value.field == field


def test_titles_are_unique_in_a_school_and_topics_its_own(school, other_school, users):
    services.save_resource(school, data(), users["counselor"])
    with pytest.raises(ResourceError, match="already"):
        services.save_resource(school, data(), users["counselor"])
    services.save_resource(other_school, data(), users["counselor"])  # another school's library
    with pytest.raises(ResourceError) as refused:
        services.save_resource(school, data(title="Other", topics=[topic(other_school, "friendships")]),
                               users["counselor"])
    assert refused.value.field == "topics"


def test_the_starter_set_is_added_once_with_its_sources(school, users):
    added = services.add_starter_set(school, users["counselor"], date.today())
    assert added == len(STARTER_SET) >= 7
    assert services.add_starter_set(school, users["counselor"], date.today()) == 0
    library = db.session.scalars(select(Resource).where(Resource.school_id == school.id)).all()
    assert all(r.source and r.link.startswith("https://") for r in library)
    assert all(len(r.body) <= services.MAX_BODY for r in library)
    exam = next(r for r in library if r.title == "Exam worry")
    assert [t.name for t in exam.topics] == ["exam stress"] and exam.review_on > date.today()


def test_suggestions_follow_topics_grade_and_retirement(school, users):
    counselor = users["counselor"]
    exams, lonely = topic(school, "exam stress"), topic(school, "feeling lonely")
    general = services.save_resource(school, data(title="Any day"), counselor)
    for_exams = services.save_resource(school, data(title="Exams", topics=[exams]), counselor)
    both = services.save_resource(school, data(title="Both", topics=[exams, lonely]), counselor)
    services.save_resource(school, data(title="Older only", topics=[exams], grade_min=11), counselor)
    assert services.suggest(school.id, [exams.id, lonely.id], 8) == [both, for_exams, general]
    assert services.suggest(school.id, [], 8) == [general]  # only the general ones when nothing is known
    services.set_active(for_exams, False)
    assert for_exams not in services.suggest(school.id, [exams.id], 8)
    assert [r.title for r in services.suggest(school.id, [exams.id], 12, limit=5)] == ["Both", "Older only", "Any day"]


def test_review_due_counts_active_resources_past_their_date(school, users):
    services.save_resource(school, data(title="Old", review_on=date.today() - timedelta(days=1)), users["counselor"])
    retired = services.save_resource(school, data(title="Gone", review_on=date.today()), users["counselor"])
    services.set_active(retired, False)
    assert services.review_due_count(school.id, date.today()) == 1


def test_resources_for_a_grade_are_those_that_suit_it(school, users):
    """The database chooses them by the same rule as `Resource.suits_grade`, a student without a grade
    seeing every one; retired ones never."""
    ranges = [(None, None), (7, None), (None, 9), (8, 10), (11, 11)]
    saved = [services.save_resource(school, data(title=f"For {low}-{high}", grade_min=low, grade_max=high),
                                    users["counselor"]) for low, high in ranges]
    retired = services.save_resource(school, data(title="Retired"), users["counselor"])
    services.set_active(retired, False)
    for grade in (None, 6, 7, 8, 9, 10, 11, 12):
        expected = sorted((r for r in saved if r.suits_grade(grade)), key=lambda r: r.title)
        assert services.for_grade(school.id, grade) == expected, grade
