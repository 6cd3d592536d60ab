"""The demo's district: Northfield Academy and a smaller second school, Southbank School, with a
school year of check-ins of its own, so the district's roll-up report has schools to compare; and
the district office's admin and analyst."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from schoolpeers.accounts import services
from schoolpeers.accounts.models import Interest, School, User
from schoolpeers.accounts.topics import list_topics
from schoolpeers.districts.provisioning import create_district
from schoolpeers.extensions import db
from schoolpeers.matching import services as matching_services
from schoolpeers.mentors import services as mentor_services
from schoolpeers.mentors.models import AVAILABILITY_SLOTS
from schoolpeers.timeutil import today_in

DISTRICT_SLUG = "northfield-district"
SECOND_SLUG = "southbank"
# (username, role, given name, family name) of the district office.
OFFICE_LOGINS = (
    ("district", "district_admin", "Ruth", "Adeyemi"),
    ("analyst", "district_analyst", "Tom", "Lindqvist"),
)


def build_demo_district(northfield: School, rng: random.Random, *, students: int) -> None:
    """The district around `northfield` (once). Both schools' people and check-ins are made by the same
    helpers of the demo (imported here: the demo calls this module)."""
    from schoolpeers import demo
    from schoolpeers.demo import DEMO_PASSWORD as password
    from schoolpeers.demo import FAMILY, GIVEN

    if db.session.scalar(select(School).where(School.slug == SECOND_SLUG)) is not None:
        return
    district, office = create_district("Northfield District", DISTRICT_SLUG)
    northfield.district_id = district.id
    for username, role, given_name, family_name in OFFICE_LOGINS:
        services.create_user(office, given_name=given_name, family_name=family_name, role=role,
                             username=username, email=f"{username}@district.northfield.example",
                             password=password)
    school = services.create_school("Southbank School", SECOND_SLUG, timezone="Europe/London",
                                    district_id=district.id,
                                    crisis_contact="Tell Mr Osei (student support) or any adult at reception today.")
    counselor = services.create_user(school, given_name="Kofi", family_name="Osei", role="counselor",
                                     username="southbank.counselor", email="counselor@southbank.example",
                                     password=password)
    interests = list(db.session.scalars(select(Interest).where(Interest.school_id == school.id)))
    people = []
    for n in range(students):
        user = services.create_user(
            school, given_name=rng.choice(GIVEN), family_name=rng.choice(FAMILY), role="student",
            grade=6 + n % 7, roster_id=f"SB{10000 + n}", email=f"s{10000 + n}@southbank.example")
        demo._personalise(user, rng, interests)
        people.append(user)
    db.session.flush()
    _run_a_year(school, counselor, people, rng)


def _run_a_year(school: School, counselor: User, students: list[User], rng: random.Random) -> None:
    """Certified mentors from grades 10–12, requests from grades 6–8, one matching run approved, and a
    school year of check-ins."""
    from schoolpeers import demo

    today = today_in(school.timezone)
    topics = list_topics(school)
    modules = mentor_services.ensure_training_modules(school.id)
    seniors = [u for u in students if u.grade >= 10]
    for user in rng.sample(seniors, len(seniors) // 2):
        profile = mentor_services.apply_to_mentor(
            user, bio=f"Grade {user.grade}, happy to help.", motivation="I remember my first year here.",
            capacity=rng.randint(1, 3), topics=rng.sample(topics, rng.randint(3, 6)),
            availability=rng.sample(list(AVAILABILITY_SLOTS), rng.randint(3, 7)))
        mentor_services.decide_application(profile, True, counselor)
        for module in modules:
            mentor_services.record_completion(profile, module, today, counselor)
        mentor_services.certify(profile, counselor, today, None)
    asking = [u for u in students if u.grade <= 8 and rng.random() < 0.5]
    for user in asking:
        request = matching_services.create_request(
            user, interests=list(user.interests), topics=rng.sample(topics, rng.randint(1, 3)), language=None,
            same_gender=False, availability=rng.sample(list(AVAILABILITY_SLOTS), rng.randint(2, 6)), note="",
            created_by=user)
        request.created_at -= timedelta(days=rng.randint(1, 20))
    demo._record_family_consent(school, asking, counselor, contact="Mr Osei, student support: 01234 765 432")
    result = matching_services.run_batch(school, counselor, today)
    for mentorship in result.proposed:
        matching_services.approve(mentorship, counselor, today)
    db.session.flush()
    demo._log_a_year_of_checkins(result.proposed, topics, counselor, rng, today, {})
