"""The demo school's peer-support circles, through the real services: the starter session plans,
trained circle leaders (Amira, the demo mentor, leads the exam circle), three circles with their
members (one full, with a waiting list), a term of sessions last school year and this one logged
with attendance, a mood round and members' feedback, a debrief with each circle's leaders, and a
mental-health day to sign up for. Zoe (the demo mentee) came to her circle's session yesterday and
can say how it was; Leo (the demo student) is invited to one; Amira has a session to log. Called by
`demo`."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.circles import circles, debriefs, feedback, places, queries, sessions
from schoolpeers.circles.models import Circle
from schoolpeers.circles.statuses import FEEDBACK_ANSWERS
from schoolpeers.extensions import db
from schoolpeers.families.services import standings
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.models import MentorProfile
from schoolpeers.mentors.statuses import ACCEPTED
from schoolpeers.resources import plans
from schoolpeers.timeutil import utcnow

DEMO_USERNAMES = ("student", "mentor", "mentee")
# name, topic, grades, capacity, members to place (more than capacity: a waiting list), about
CIRCLES = (
    ("Exam stress circle", "exam stress", (9, 11), 8, 7,
     "For anyone who feels the pressure of tests and exams. We share what helps and practise staying calm."),
    ("Friendship circle", "friendships", (7, 9), 6, 8,
     "Friendships can be great and hard at the same time. A small group to talk it through, kindly."),
    ("New here", "settling into a new school", (6, 7), 8, 6,
     "New to Northfield? Meet others who are too, and find your way around together."),
)
NOTES = (
    "Everyone joined in the opening round. The breathing exercise worked well; two asked to do it again next time.",
    "Quieter week, a few were tired after tests. We finished early with the closing round.",
    "Good energy. People shared what helped them this week and each picked one small step to try.",
    "We ran over time on the activity, so the coping skill was short. Will start with it next week.",
)
COMMENTS = ("", "", "", "The breathing thing actually helped before my test.",
            "Could we have a bit longer next time?")
# Last week, the friendship circle's leader wrote down a worry about a member by name: a concern about her.
WORRY = ("{name} said people in their year keep posting mean things about them online and they do not want to "
         "come to school any more.")


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.utc)


def build_circles(school: School, counselor: User, rng: random.Random, today: date) -> None:
    plans.add_starter_plans(school, counselor)
    leaders = _train_leaders(school, counselor, rng, today)
    if not leaders:
        return  # a school too small to have trained mentors yet
    topics = {t.name: t for t in db.session.scalars(select(Topic).where(Topic.school_id == school.id))}
    students = list(db.session.scalars(select(User).where(
        User.school_id == school.id, User.role == "student", User.active.is_(True)).order_by(User.id)))
    may_join = standings(school.id, students, "mentee")
    taken = {u.id for u in leaders}
    now = utcnow()
    made = []
    for n, (name, topic, (low, high), capacity, placed, about) in enumerate(CIRCLES):
        circle = circles.save_circle(school, circles.CircleData(
            name, topics[topic].id, low, high, capacity, counselor.id, about), counselor)
        circles.set_leaders(circle, {leaders[(2 * n + k) % len(leaders)].id for k in (0, 1)}, counselor)
        chosen = [u for u in students if u.username == _demo_member(n)]
        fitting = [u for u in students if low <= u.grade <= high and u.id not in taken
                   and u.username not in DEMO_USERNAMES and may_join[u.id].may_take_part]
        chosen += rng.sample(fitting, min(len(fitting), placed - len(chosen)))
        joined = at(first_autumn(today) - timedelta(days=20), 9)  # before their first session
        invited, _ = places.invite(circle, chosen, counselor, joined) if chosen else ([], 0)
        for place in invited:
            places.answer_invitation(place, True, joined + timedelta(hours=1))
            places.agree(place, joined + timedelta(hours=2))
        taken.update(u.id for u in chosen)
        made.append(circle)
    _run_sessions(school, made, counselor, rng, today)
    _invite_the_demo_student(school, made[2], counselor, now)
    _mental_health_day(school, counselor, students, rng, now)


def first_autumn(today: date) -> date:
    """1 October of the last school year: the circles' first sessions."""
    return date(today.year - (1 if today.month >= 9 else 2), 10, 1)


def _demo_member(n: int) -> str | None:
    """Zoe (grade 8, the demo mentee) is in the friendship circle."""
    return "mentee" if n == 1 else None


def _train_leaders(school: School, counselor: User, rng: random.Random, today: date) -> list[User]:
    """Six certified mentors with the circle-leader module; Amira (the demo mentor) first."""
    module = circles.ensure_circle_leader_module(school.id)
    profiles = list(db.session.scalars(select(MentorProfile).where(
        MentorProfile.school_id == school.id, MentorProfile.status.in_(ACCEPTED),
        MentorProfile.certified_until >= today).order_by(MentorProfile.id)))
    amira = [p for p in profiles if p.user.username == "mentor"]
    others = [p for p in profiles if p.user.username != "mentor" and p.user.grade >= 10]
    chosen = amira + rng.sample(others, min(5, len(others)))
    for profile in chosen:
        mentors.record_completion(profile, module, today, counselor)
    db.session.flush()
    return [p.user for p in chosen]


def _run_sessions(school: School, made: list[Circle], counselor: User, rng: random.Random, today: date) -> None:
    """Weekly sessions for ten weeks of last school year's autumn and the last five weeks, each logged
    by a leader the day it is held; members who came say how it was. The exam circle's session of two
    days ago waits for Amira to log it; every circle meets again next week."""
    last_autumn = first_autumn(today)
    weeks = [*(last_autumn + timedelta(weeks=w) for w in range(10)),
             *(today - timedelta(weeks=w) for w in range(5, 0, -1))]
    for n, circle in enumerate(made):
        leader = queries.leaders(circle)[0]
        session_plans = _middle_plans(plans.plans_for_topic(school.id, circle.topic_id))
        members = [p.student for p in queries.members(circle, agreed_only=True)]
        _scheduled(circle, session_plans[0], at(today + timedelta(days=7), 15), counselor)  # next week
        days = [*weeks, today - timedelta(days=1)] if n == 1 else weeks
        for w, day in enumerate(days):
            session = _scheduled(circle, session_plans[w % len(session_plans)], at(day, 15), counselor)
            came = [m for m in members if rng.random() < 0.85]
            moods = {}
            for _ in came:
                mood = min(5, max(1, round(rng.gauss(3.6, 0.9))))
                moods[mood] = moods.get(mood, 0) + 1
            held = at(day, 16)
            named = [m for m in came if [o.given_name for o in members].count(m.given_name) == 1]
            worried = n == 1 and day == today - timedelta(weeks=1) and named
            notes = WORRY.format(name=named[-1].given_name) if worried else rng.choice(NOTES)
            sessions.log_session(session, sessions.LogData(
                how_it_went=rng.choice(["well", "well", "mixed"]), notes=notes,
                present={m.id for m in came}, moods=moods), leader, held)
            for member in came:
                if member.username == "mentee" or rng.random() < 0.4:
                    continue  # Zoe's answer waits for her; some never answer
                feedback.give_feedback(member, session, rng.choice(list(FEEDBACK_ANSWERS)[:2] * 3 + ["didnt_help"]),
                                       rng.choice(COMMENTS), held + timedelta(hours=3))
        if n == 0:  # two days ago, not logged yet
            _scheduled(circle, session_plans[0], at(today - timedelta(days=2), 15), counselor)
        debriefs.record_debrief(circle, debriefs.DebriefData(
            today - timedelta(days=10), 40, ["circle_sessions", "self_care"],
            [u.id for u in queries.leaders(circle)]), counselor, today)


def _middle_plans(found: list) -> list:
    """The plans for a circle's everyday sessions: not its first session's nor its last one's."""
    return [p for p in found if p.title not in ("Getting to know each other", "Our last session")] or found


def _scheduled(circle: Circle, plan, starts_at: datetime, counselor: User):
    return sessions.schedule(circle, sessions.SessionData(starts_at, 50, plan.id, "Room 12"), counselor,
                             starts_at - timedelta(days=7))


def _invite_the_demo_student(school: School, circle: Circle, counselor: User, now: datetime) -> None:
    leo = db.session.scalar(select(User).where(User.school_id == school.id, User.username == "student"))
    places.invite(circle, [leo], counselor, now - timedelta(days=1))


def _mental_health_day(school: School, counselor: User, students: list[User], rng: random.Random,
                       now: datetime) -> None:
    """A mental-health day workshop in twelve days, open to every grade, with a few signed up."""
    starts = now.replace(hour=13, minute=0, second=0, microsecond=0) + timedelta(days=12)
    workshop = sessions.create_workshop(school, sessions.WorkshopData(
        "Mental health day: small steps that help", starts, 90, 6, 12, 120,
        "An afternoon of short, practical sessions: sleep, stress, screens and friendships. Come along!",
        "The hall"), counselor, now)
    may_join = standings(school.id, students, "mentee")
    fitting = [s for s in students if s.username not in DEMO_USERNAMES and may_join[s.id].may_take_part]
    for student in rng.sample(fitting, min(25, len(fitting))):
        sessions.sign_up(student, workshop, now)
