"""A school's topic list, kept per version: read once, read again after any change, never stale."""

import pytest
from sqlalchemy import delete, event, update

from schoolpeers.accounts.models import DEFAULT_TOPICS, Topic
from schoolpeers.accounts.topics import TopicChoice, TopicsChangedInBulk, list_topics
from schoolpeers.extensions import db


@pytest.fixture
def statements(app):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def names(school):
    return [topic.name for topic in list_topics(school)]


def test_the_list_is_plain_data_by_name_and_read_once_per_version(school, statements):
    first = list_topics(school)
    assert [topic.name for topic in first] == sorted(DEFAULT_TOPICS)
    assert all(type(topic) is TopicChoice and topic.school_id == school.id for topic in first)
    statements.clear()
    assert list_topics(school) == first
    assert statements == []


def test_each_change_of_a_topic_gives_a_new_version_and_the_new_list(school):
    before = names(school)
    versions = [school.topics_version]
    db.session.add(Topic(school_id=school.id, name="moving house"))
    db.session.commit()
    versions.append(school.topics_version)
    assert names(school) == sorted([*before, "moving house"])
    topic = db.session.scalar(db.select(Topic).where(Topic.name == "moving house"))
    topic.name = "a new home"
    db.session.commit()
    versions.append(school.topics_version)
    assert names(school) == sorted([*before, "a new home"])
    db.session.delete(topic)
    db.session.commit()
    versions.append(school.topics_version)
    assert names(school) == before
    assert len(set(versions)) == 4


def test_a_topic_set_to_what_it_was_keeps_the_version(school):
    version = school.topics_version
    topic = db.session.scalar(db.select(Topic).where(Topic.school_id == school.id))
    topic.name = topic.name
    db.session.commit()
    assert school.topics_version == version


def test_another_schools_change_leaves_this_schools_list(school, other_school):
    version = school.topics_version
    db.session.add(Topic(school_id=other_school.id, name="moving house"))
    db.session.commit()
    assert school.topics_version == version and "moving house" not in names(school)
    assert "moving house" in names(other_school)


def test_a_rolled_back_change_leaves_no_trace_in_the_list(school):
    before, version = names(school), school.topics_version
    db.session.add(Topic(school_id=school.id, name="moving house"))
    db.session.flush()
    assert "moving house" in names(school)  # the transaction sees its own change
    db.session.rollback()
    assert school.topics_version == version
    assert names(school) == before


@pytest.mark.parametrize("statement", [
    update(Topic).values(name="renamed"),
    delete(Topic).where(Topic.name == "exam stress"),
])
def test_topics_are_never_changed_in_bulk(school, statement):
    with pytest.raises(TopicsChangedInBulk):
        db.session.execute(statement)
    db.session.rollback()
    assert names(school) == sorted(DEFAULT_TOPICS)


def test_the_version_is_not_a_setting(school):
    from schoolpeers.accounts.services import AccountError, update_school_settings

    with pytest.raises(AccountError):
        update_school_settings(school, topics_version="0")
