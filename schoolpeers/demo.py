"""`flask demo`: a realistic, deterministic demo school, built once (idempotent)."""
from __future__ import annotations

import random

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from schoolpeers.accounts import services
from schoolpeers.accounts.models import Interest, School, User
from schoolpeers.extensions import db

DEMO_SLUG = "northfield"
DEMO_PASSWORD = "schoolpeers-demo"
DEMO_LOGINS = (
    ("counselor", "counselor", "Maya", "Rivera", None),
    ("counselor2", "counselor", "Daniel", "Okafor", None),
    ("staff", "staff", "Helen", "Brooks", None),
    ("admin", "admin", "Sam", "Patel", None),
    ("student", "student", "Leo", "Novak", 7),
    ("mentor", "student", "Amira", "Haddad", 10),
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
    for n in range(students - 2):
        grade = 6 + n % 7
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        user = services.create_user(
            school, given_name=given, family_name=family, role="student", grade=grade,
            roster_id=f"NF{10000 + n}", email=f"s{10000 + n}@northfield.example",
        )
        _personalise(user, rng, interests)
    school.designated_lead_id = db.session.scalar(select(User.id).where(User.username == "counselor"))
    db.session.flush()
    return school, True


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
