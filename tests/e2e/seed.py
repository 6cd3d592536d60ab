"""What each journey needs in the server's database, made through the app's own services.

Every journey brings its own people, so the journeys pass alone, together and in any order;
they live in the demo school, so the pages show a realistic amount of data.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from schoolpeers.accounts import services as accounts
from schoolpeers.accounts.models import School, User
from schoolpeers.accounts.topics import list_topics
from schoolpeers.demo import DEMO_SLUG
from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.mentors import checkins
from schoolpeers.mentors import services as mentors
from schoolpeers.timeutil import today_in
from tests.e2e.journey import Person
from tests.factories import PASSWORD


def demo_school() -> School:
    return db.session.scalar(select(School).where(School.slug == DEMO_SLUG))


def demo_counselor() -> User:
    return db.session.scalar(select(User).where(User.username == "counselor"))


def add_user(school: School, role: str, given: str, family: str, *, grade: int | None = None,
             password: str | None = PASSWORD) -> User:
    username = f"{given}.{family}".lower()
    return accounts.create_user(school, role=role, given_name=given, family_name=family, username=username,
                                email=f"{username}@{school.slug}.example", grade=grade, password=password)


def person(app: Flask, user: User) -> Person:
    return Person(app=app, username=user.username, password=PASSWORD, given_name=user.given_name)


def add_mentor(school: School, given: str, family: str, *, grade: int = 10, capacity: int = 3) -> User:
    """A student who applied, was accepted, trained and certified, with every interest of the school."""
    counselor, today = demo_counselor(), today_in(school.timezone)
    user = add_user(school, "student", given, family, grade=grade)
    accounts.set_interests(user, accounts.list_interests(school.id))
    profile = mentors.apply_to_mentor(user, bio=f"I'm {given}, in grade {grade}. Happy to chat about anything.",
                                      motivation="I remember my first year here.", capacity=capacity,
                                      topics=list_topics(school), availability=["mon-lunch", "wed-lunch"])
    mentors.decide_application(profile, True, counselor)
    for module in mentors.training_modules(school.id):
        mentors.record_completion(profile, module, today, counselor)
    mentors.certify(profile, counselor, today)
    return user


def add_request(student: User):
    school = student.school
    accounts.set_interests(student, accounts.list_interests(school.id)[:3])
    return matching.create_request(student, interests=accounts.list_interests(school.id)[:3],
                                   topics=list_topics(school)[:2], language=None, same_gender=False,
                                   availability=["mon-lunch"], note="", created_by=student)


def add_active_mentorship(mentor: User, mentee: User, *, began_days_ago: int = 0):
    counselor, today = demo_counselor(), today_in(mentor.school.timezone)
    request = add_request(mentee)
    mentorship = matching.choose_mentor(request, mentors.profile_for(mentor), counselor, today)
    matching.approve(mentorship, counselor, today)
    mentorship.began_on = today - timedelta(days=began_days_ago)
    db.session.flush()  # written now: logging a check-in reloads the mentorship under a row lock
    return mentorship


def log_alarming_checkin(mentorship) -> None:
    today = today_in(mentorship.mentor.school.timezone)
    checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(
        occurred_on=today, duration_minutes=25, mode="in_person", wellbeing=1,
        notes="He said he has been thinking about killing himself and has stopped eating lunch."), today)


def add_circle_with_a_session_to_log(leader: User, members: list[User]):
    """A friendship circle led by `leader`, `members` in it who accepted its agreement (their families'
    consent recorded), and a session of it that began an hour ago."""
    from schoolpeers.circles import circles, places, sessions
    from schoolpeers.families import services as families
    from schoolpeers.resources import plans
    from schoolpeers.timeutil import utcnow

    school, counselor, now = leader.school, demo_counselor(), utcnow()
    topic = next(t for t in list_topics(school) if t.name == "friendships")
    circle = circles.save_circle(school, circles.CircleData(
        f"{leader.given_name}'s friendship circle", topic.id, 7, 9, 6, counselor.id), counselor)
    circles.set_leaders(circle, [leader.id], counselor)
    for member in members:
        parent = families.add_guardian(member, given_name="Sam", family_name=member.family_name,
                                       relationship="parent", email=None, phone="01234 567890")
        families.record_answer(member, parent, decision="given", channel="paper", note="", actor=counselor)
    invited, _ = places.invite(circle, members, counselor, now - timedelta(days=8))
    for place in invited:
        places.answer_invitation(place, True, now - timedelta(days=8))
        places.agree(place, now - timedelta(days=8))
    plan = plans.plans_for_topic(school.id, topic.id)[0]
    starts = now - timedelta(hours=1)
    return sessions.schedule(circle, sessions.SessionData(starts, 45, plan.id, "Room 4"), counselor,
                             starts - timedelta(days=1))
