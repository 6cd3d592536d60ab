"""An archived school is read-only for its people (they still sign in and read), and background work
leaves it alone: no reminders, no overdue check-in concerns, no escalations."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.notifications.reminders import send_reminders
from schoolpeers.oversight import services as oversight
from schoolpeers.oversight.models import Concern
from schoolpeers.timeutil import utcnow
from tests.factories import one_of_each_record


@pytest.fixture
def world(school, users):
    people, ids = one_of_each_record(school, dict(users))
    return people, ids


def archive(school) -> None:
    school.archived_at = utcnow()
    db.session.commit()


def test_a_post_is_refused_and_changes_nothing_while_pages_still_open(client, school, world, login_as):
    people, ids = world
    archive(school)
    login_as(people["counselor"])
    response = client.post(f"/oversight/concerns/{ids['concern_id']}/acknowledge")
    assert response.status_code == 403 and "This school is archived" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Concern, ids["concern_id"]).acknowledged_at is None
    assert client.get(f"/oversight/concerns/{ids['concern_id']}").status_code == 200
    response = client.post(f"/oversight/concerns/{ids['concern_id']}/acknowledge",
                           headers={"Accept": "application/json"})
    assert response.status_code == 403 and response.get_json()["error"].startswith("This school is archived")
    assert client.post("/logout").status_code == 302  # signing out still works


def test_the_same_post_works_in_an_open_school(client, school, world, login_as):
    people, ids = world
    login_as(people["counselor"])
    assert client.post(f"/oversight/concerns/{ids['concern_id']}/acknowledge").status_code == 302
    db.session.expire_all()
    assert db.session.get(Concern, ids["concern_id"]).acknowledged_at is not None


def test_people_of_an_archived_school_can_sign_in(client, school, make_user):
    from tests.factories import PASSWORD

    make_user("counselor", username="casey", password=PASSWORD)
    archive(school)
    response = client.post("/login", data={"login": "casey", "password": PASSWORD})
    assert response.status_code == 302 and "/login" not in response.location


@pytest.mark.parametrize("archived", [False, True])
def test_background_work_skips_an_archived_school(school, world, archived):
    people, _ = world
    oversight.raise_concern(school, people["student"], source="manual", severity="high", summary="x",
                            raised_by=people["counselor"], now=utcnow())
    db.session.commit()
    if archived:
        archive(school)
    later = utcnow() + timedelta(days=60)
    reminders = sum(send_reminders(later).values())
    overdue = oversight.raise_overdue_checkins(later)
    escalated = oversight.escalate_overdue(later)
    db.session.commit()
    if archived:
        assert (reminders, overdue, escalated) == (0, [], [])
    else:
        assert reminders > 0 and overdue and escalated
    assert db.session.scalar(select(Concern).where(Concern.source == "overdue")) is (None if archived else overdue[0])
