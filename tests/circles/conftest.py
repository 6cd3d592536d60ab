"""Circles of `school`: made through the real services, with a counselor and trained leaders."""
from __future__ import annotations

from datetime import date

import pytest

from schoolpeers.accounts.topics import list_topics
from schoolpeers.circles import circles
from schoolpeers.extensions import db
from schoolpeers.mentors import services as mentors
from tests.factories import make_mentor


@pytest.fixture
def counselor(users):
    return users["counselor"]


@pytest.fixture
def make_circle(school, counselor):
    """make_circle(name=..., grade_min=..., grade_max=..., capacity=...): an open circle, no leader yet."""
    made = iter(range(1, 1000))

    def _make(**overrides):
        values = {"name": f"Circle {next(made)}", "topic_id": list_topics(school)[0].id, "grade_min": 6,
                  "grade_max": 12, "capacity": 4, "counselor_id": counselor.id, "about": "We talk about exams."}
        values.update(overrides)
        circle = circles.save_circle(school, circles.CircleData(**values), counselor)
        db.session.commit()
        return circle

    return _make


@pytest.fixture
def make_leader(school, counselor):
    """make_leader(**user_overrides): a certified mentor who completed the circle-leader module."""

    def _make(**user_overrides):
        profile = make_mentor(school, counselor, **user_overrides)
        module = circles.ensure_circle_leader_module(school.id)
        mentors.record_completion(profile, module, date.today(), counselor)
        db.session.commit()
        return profile.user

    return _make
