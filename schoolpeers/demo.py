"""`flask demo`: a realistic, deterministic demo school, built once (idempotent)."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from schoolpeers import demo_circles, demo_cycle, demo_district
from schoolpeers.accounts import services
from schoolpeers.accounts.models import Interest, School, User
from schoolpeers.accounts.topics import list_topics
from schoolpeers.extensions import db
from schoolpeers.families import services as families
from schoolpeers.families.consent import Rule
from schoolpeers.matching import services as matching_services
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors import services as mentor_services
from schoolpeers.mentors.models import AVAILABILITY_SLOTS
from schoolpeers.resources import services as resources
from schoolpeers.timeutil import today_in, utcnow

DEMO_SLUG = "northfield"
DEMO_PASSWORD = "schoolpeers-demo"
DEMO_LOGINS = (
    ("counselor", "counselor", "Maya", "Rivera", None),
    ("counselor2", "counselor", "Daniel", "Okafor", None),
    ("staff", "staff", "Helen", "Brooks", None),
    ("admin", "admin", "Sam", "Patel", None),
    ("student", "student", "Leo", "Novak", 7),
    ("mentor", "student", "Amira", "Haddad", 10),
    ("mentee", "student", "Zoe", "Park", 8),
)
GIVEN = ("Ava Liam Noah Emma Olivia Elijah Mia Lucas Sofia Mateo Amelia Ethan Zoe Aiden Chloe Yusuf "
         "Hana Kai Isla Omar Priya Jonas Lena Tomasz Aisha Diego Freya Ravi Nora Felix Ines Malik "
         "Grace Arjun Lucia Theo Sara Hugo Maja Ibrahim Julia Elias Layla Oscar Ana Samuel Yara Finn").split()
FAMILY = ("Smith Garcia Kowalski Nguyen Johnson Ahmed Brown Silva Müller Okoye Rossi Chen Martin Ali "
          "Jensen Costa Murphy Khan Dubois Novak Schmidt Lopez Wilson Haddad Tanaka Ivanova Moreau "
          "Ortiz Berg Singh O'Brien Fischer Nowak Mensah Sato Larsen Romero Walsh Petrov Hughes").split()
LANGUAGES = ("english", "spanish", "polish", "arabic", "urdu", "french", "portuguese")
GENDERS = ("female", "male", "female", "male", "nonbinary")


def build_demo_school(seed: int = 2026, students: int = 400) -> tuple[School, bool]:
    """The demo school, and whether it was built now (False: it was already there)."""
    existing = db.session.scalar(select(School).where(School.slug == DEMO_SLUG))
    if existing is not None:
        return existing, False
    rng = random.Random(seed)
    school = services.create_school(
        "Northfield Academy", DEMO_SLUG, timezone="Europe/London",
        crisis_contact="Tell Ms Rivera (room 12) or any adult at reception today. Out of hours: "
                       "call the local crisis line on 116 123 or emergency services on 999.",
    )
    interests = list(db.session.scalars(select(Interest).where(Interest.school_id == school.id)))
    for username, role, given, family, grade in DEMO_LOGINS:
        user = services.create_user(school, given_name=given, family_name=family, role=role,
                                    username=username, email=f"{username}@northfield.example",
                                    grade=grade, password=DEMO_PASSWORD)
        if role == "student":
            _personalise(user, rng, interests)
    for n in range(students - sum(role == "student" for _u, role, *_rest in DEMO_LOGINS)):
        grade = 6 + n % 7
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        user = services.create_user(
            school, given_name=given, family_name=family, role="student", grade=grade,
            roster_id=f"NF{10000 + n}", email=f"s{10000 + n}@northfield.example",
        )
        _personalise(user, rng, interests)
    counselor = db.session.scalar(select(User).where(User.username == "counselor"))
    school.designated_lead_id = counselor.id
    db.session.flush()
    _build_programme(school, counselor, rng)
    demo_district.build_demo_district(school, rng, students=max(30, students // 3))
    return school, True


def _build_programme(school: School, counselor: User, rng: random.Random) -> None:
    """Mentors with training, requests, and a first round of approved matches."""
    today = today_in(school.timezone)
    topics = list_topics(school)
    students = list(db.session.scalars(
        select(User).where(User.school_id == school.id, User.role == "student").order_by(User.id)))
    seniors = [u for u in students if u.grade >= 9 and u.username != "student"]
    others = [u for u in seniors if u.username != "mentor"]
    mentors_chosen = [u for u in seniors if u.username == "mentor"] + rng.sample(
        others, min(len(others), len(students) // 8))
    waiting_applications = max(1, len(mentors_chosen) // 15)
    modules = mentor_services.ensure_training_modules(school.id)
    for n, user in enumerate(mentors_chosen):
        profile = mentor_services.apply_to_mentor(
            user, bio=f"I'm in grade {user.grade} and I like {', '.join(i.name for i in user.interests[:2])}.",
            motivation="Someone helped me when I started here; I would like to do the same.",
            capacity=rng.randint(1, 3), topics=rng.sample(topics, rng.randint(3, 6)),
            availability=rng.sample(list(AVAILABILITY_SLOTS), rng.randint(3, 7)))
        if n >= len(mentors_chosen) - waiting_applications:
            continue  # a few applications still waiting for a counselor
        mentor_services.decide_application(profile, True, counselor)
        for module in modules:
            mentor_services.record_completion(profile, module, today, counselor)
        # Two certificates run out soon, so the counselor's reminder has something to show.
        expires_soon = n in (1, 2) and today + timedelta(days=20) < mentor_services.school_year_end(today)
        mentor_services.certify(profile, counselor, today, today + timedelta(days=20) if expires_soon else None)
    # Grades 7 and 8 ask often enough for the reports' trends to show; grade 6, new to the school,
    # only a few, so the reports show how small groups are protected.
    asking = []
    for grade, share in ((6, 0.1), (7, 0.5), (8, 0.5)):
        juniors = [u for u in students if u.grade == grade and u.username not in ("student", "mentee")]
        asking += rng.sample(juniors, max(1, round(len(juniors) * share)))
    asking += [u for u in students if u.username == "mentee"]  # matched first, to try a self check-in
    now = utcnow()
    for user in asking:
        request = matching_services.create_request(
            user, interests=list(user.interests), topics=rng.sample(topics, rng.randint(1, 3)),
            language=rng.choice([None] * 8 + ["spanish", "polish"]), same_gender=rng.random() < 0.1,
            availability=rng.sample(list(AVAILABILITY_SLOTS), rng.randint(2, 6)), note="", created_by=user)
        request.created_at = now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 8))
    _record_family_consent(school, asking, counselor)
    result = matching_services.run_batch(school, counselor, today)
    demo_mentor_first = sorted(result.proposed, key=lambda m: (m.mentee.username != "mentee",
                                                               m.mentor.username != "mentor"))
    approved = demo_mentor_first[: len(result.proposed) * 2 // 3]
    for mentorship in approved:
        matching_services.approve(mentorship, counselor, today)
    db.session.flush()
    ends = demo_cycle.plan_endings(approved, rng, today)
    _log_a_year_of_checkins(approved, topics, counselor, rng, today, ends)
    demo_cycle.run_the_cycle(school, approved, ends, counselor, rng, today)
    resources.add_starter_set(school, counselor, today)
    demo_circles.build_circles(school, counselor, rng, today)


CALM_NOTES = (
    "We talked about the maths test on Friday; feeling more prepared.",
    "Went through the homework planner together. Good chat about football.",
    "Settling in better, has found a group to sit with at lunch.",
    "Busy week with homework; we made a plan for the science project.",
    "Talked about joining the drama club. Seemed keen.",
    "Quiet at first, then talked about the school trip next month.",
)


PROGRAMME_TEXT = (
    "Peer mentoring pairs a younger student with a trained older student who meets them about once a "
    "fortnight at school. Mentors note how each meeting went and how your child is feeling; only the "
    "school's counselors read those notes. A mentor must tell a counselor if they are worried about your "
    "child's safety. Notes are deleted a year after the mentoring ends. You can withdraw at any time."
)


PARENT_NAMES = ("Amina", "David", "Grace", "Tomasz", "Lucia", "Omar", "Helen", "Kwame", "Priya", "Sean")


def _record_family_consent(school: School, asking: list[User], counselor: User, *,
                           contact: str = "Ms Rivera, school counselor: 01234 567 890, "
                                          "counselors@northfield.example.org") -> None:
    """The school's policy (the defaults, with its programme text), a parent of every student who
    asked, and their consent on paper; two of the youngest still wait for theirs."""
    families.save_policy(school, mentee_rule=Rule.OPT_OUT, mentor_rule=Rule.OPT_OUT, younger_rule=Rule.OPT_IN,
                         programme_text=PROGRAMME_TEXT, family_contact=contact)
    waiting = [u for u in asking if u.grade == min(u.grade for u in asking)][:2]
    for n, user in enumerate(asking):
        parent = families.add_guardian(user, given_name=PARENT_NAMES[n % len(PARENT_NAMES)],
                                       family_name=user.family_name, relationship="parent",
                                       email=f"family.{user.username}@example.org", phone=None)
        if user not in waiting:
            families.record_answer(user, parent, decision="given", channel="paper", note="", actor=counselor)


def _log_a_year_of_checkins(mentorships, topics, counselor: User, rng: random.Random, today, ends) -> None:
    """A school year of check-ins, about one a fortnight, screened like real ones: enough for the
    reports' trends and the comparison with earlier terms to show. A pair that ends (`ends`: its
    closing day) meets until shortly before."""
    from schoolpeers.mentors import checkins, self_checkins
    from schoolpeers.oversight import services as oversight

    start = today - timedelta(weeks=52)
    for mentorship in mentorships:
        mentorship.began_on = start + timedelta(days=rng.randint(0, 20))
        asked = db.session.scalar(select(MentorRequest).where(MentorRequest.mentorship_id == mentorship.id))
        asked.created_at = utcnow() - (today - mentorship.began_on) - timedelta(days=rng.randint(3, 15))
        # Most feel a little better as the year goes on; each check-in varies around that.
        first_mood, per_week = rng.uniform(2.6, 3.8), rng.choice((0.0, 0.01, 0.02, 0.03))
        day = mentorship.began_on + timedelta(days=rng.randint(0, 4))
        while day <= ends.get(mentorship.id, today) - timedelta(days=2):
            weeks = (day - mentorship.began_on).days / 7
            mood = min(5, max(1, round(first_mood + per_week * weeks + rng.gauss(0, 0.55))))
            checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(
                occurred_on=day, duration_minutes=rng.choice((15, 20, 30, 40)),
                mode=rng.choice(("in_person", "in_person", "online")),
                wellbeing=mood, domains={"school_work": rng.randint(2, 5), "friendships": rng.randint(2, 5),
                                         "home": rng.randint(3, 5), "sleep_energy": rng.randint(2, 5)},
                topics=rng.sample(topics, rng.randint(1, 2)), notes=rng.choice(CALM_NOTES)), today)
            if rng.random() < 0.6:  # most mentees also say how they feel, a little differently
                own = min(5, max(2, mood + rng.choice((-1, 0, 0, 1))))
                entry, _ = self_checkins.record_self_checkin(mentorship.mentee, self_checkins.SelfCheckInData(
                    own, {"sleep_energy": rng.randint(2, 5)}), day)
                entry.created_at = datetime.combine(day, time(16), timezone.utc)
            day += timedelta(days=rng.randint(8, 16))
    if len(mentorships) < 2:
        return
    # One worry the counselors have already dealt with, and one still open.
    first, second = mentorships[0], mentorships[1]
    _checkin, _severity = checkins.log_checkin(first, first.mentor, checkins.CheckInData(
        occurred_on=today - timedelta(days=1), duration_minutes=20, mode="in_person", wellbeing=2,
        notes="Said that nobody likes her and she eats lunch alone every day.", worried=True,
        worry_severity="medium", worry_reason="Seems isolated at lunch."), today)
    for concern in oversight.open_concerns(first.school_id, utcnow()):
        oversight.resolve(concern, counselor, "support_given", "Lunch club introduced; checking in weekly.", utcnow())
    checkins.log_checkin(second, second.mentor, checkins.CheckInData(
        occurred_on=today, duration_minutes=30, mode="in_person", wellbeing=3,
        notes="Mentioned some older kids keep taking his phone and posting pictures of him."), today)


def _personalise(user: User, rng: random.Random, interests: list[Interest]) -> None:
    user.gender = rng.choice(GENDERS)
    user.languages = ["english"] + ([rng.choice(LANGUAGES[1:])] if rng.random() < 0.3 else [])
    services.set_interests(user, rng.sample(interests, rng.randint(3, 6)))


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo school (once) and print its logins."""
    _school, built = build_demo_school()
    db.session.commit()
    click.echo("Demo school loaded." if built else "Demo school already present; nothing changed.")
    click.echo(f"Sign in at http://127.0.0.1:5000 with password {DEMO_PASSWORD!r} as:")
    for username, role, given, family, _grade in DEMO_LOGINS:
        click.echo(f"  {username:<11} {role:<9} ({given} {family})")
    for username, role, given, family in demo_district.OFFICE_LOGINS:
        click.echo(f"  {username:<11} {role:<9} ({given} {family}, the district office)")
    click.echo("Counselors and admins set up two-factor sign-in (an authenticator app) the first time they sign in.")
