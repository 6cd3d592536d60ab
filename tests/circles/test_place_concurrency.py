"""Accepts for a circle's last free place at the same moment, on PostgreSQL: the circle's row lock lets
one in and puts the others on the waiting list, in a line with no two at the same place."""
from __future__ import annotations

from datetime import timedelta

import pytest

from schoolpeers.accounts.models import User
from schoolpeers.circles import places, queries
from schoolpeers.circles.models import CircleMember
from schoolpeers.circles.statuses import PlaceStatus
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow
from tests.parallel import all_at_once

THREADS = 6


@pytest.fixture(autouse=True)
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL row locks and real parallel transactions (set TEST_DATABASE_URL)")


def full_but_one(circle, counselor, make_user) -> None:
    now = utcnow() - timedelta(hours=1)
    for n in range(circle.capacity - 1):
        place, _ = places.ask_to_join(make_user("student", grade=8), circle, now + timedelta(minutes=n))
        places.decide(place, True, counselor, now + timedelta(minutes=n))
    db.session.commit()


def outcome(circle):
    db.session.expire_all()
    waiting = queries.places(circle, PlaceStatus.WAITING)
    return queries.member_count(circle), sorted(places.waiting_position(p) for p in waiting)


def test_students_accepting_invitations_at_once_never_overfill_the_circle(app, counselor, make_circle, make_user):
    circle = make_circle(capacity=4)
    full_but_one(circle, counselor, make_user)
    invited, _ = places.invite(circle, [make_user("student", grade=8) for _ in range(THREADS)], counselor, utcnow())
    db.session.commit()
    place_ids = [p.id for p in invited]

    def accept(place_id: int) -> None:
        places.answer_invitation(db.session.get(CircleMember, place_id), True, utcnow())

    assert all_at_once(app, accept, [(i,) for i in place_ids], timeout=30) == ["ok"] * THREADS
    assert outcome(circle) == (4, list(range(1, THREADS)))


def test_counselors_accepting_asks_at_once_never_overfill_the_circle(app, counselor, make_circle, make_user):
    circle = make_circle(capacity=4)
    full_but_one(circle, counselor, make_user)
    asks = [places.ask_to_join(make_user("student", grade=8), circle, utcnow())[0].id for _ in range(THREADS)]
    db.session.commit()
    counselor_id = counselor.id

    def accept(place_id: int) -> None:
        places.decide(db.session.get(CircleMember, place_id), True, db.session.get(User, counselor_id), utcnow())

    assert all_at_once(app, accept, [(i,) for i in asks], timeout=30) == ["ok"] * THREADS
    assert outcome(circle) == (4, list(range(1, THREADS)))
