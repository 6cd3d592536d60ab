import re
from datetime import date

from schoolpeers.extensions import db
from schoolpeers.matching import services
from tests.factories import make_mentor, make_request


def test_counselor_home_says_what_needs_attention(client, users, login_as, school, make_user):
    counselor = users["counselor"]
    make_mentor(school, counselor, capacity=1)
    make_request(make_user("student", grade=8))
    make_request(make_user("student", grade=8))
    services.run_batch(school, counselor, date.today())
    db.session.commit()
    login_as(counselor)
    page = client.get("/").data
    assert b'<span class="stat">1</span>\n        student waiting for a mentor' in page
    assert b'<span class="stat">1</span>\n        proposal waiting for your approval' in page


def test_student_home_offers_the_mentor_pages(client, users, login_as, school):
    login_as(users["student"])
    page = client.get("/").data
    assert b"Ask for a peer mentor" in page and b"My mentees" not in page


def test_a_student_who_asked_is_not_offered_to_ask_again(client, users, login_as, school):
    make_request(users["student"])
    db.session.commit()
    login_as(users["student"])
    page = client.get("/").get_data(as_text=True)
    assert "Ask for a peer mentor" not in page and "See my request" in page


def test_a_matched_student_is_shown_their_mentor(client, users, login_as, school):
    counselor = users["counselor"]
    make_mentor(school, counselor)
    make_request(users["student"])
    result = services.run_batch(school, counselor, date.today())
    services.approve(result.proposed[0], counselor, date.today())
    db.session.commit()
    login_as(users["student"])
    page = client.get("/").get_data(as_text=True)
    assert "Ask for a peer mentor" not in page and "See my request" not in page and ">My mentor<" in page


def test_a_mentor_sees_their_mentees_in_the_navigation_and_is_not_asked_to_become_one(client, users, login_as,
                                                                                       school):
    profile = make_mentor(school, users["counselor"])
    db.session.commit()
    login_as(profile.user)
    page = client.get("/").get_data(as_text=True)
    assert "Become a peer mentor" not in page
    assert '<li><a href="/mentor/mentees">My mentees</a></li>' in page
    assert "My mentees" in client.get("/request").get_data(as_text=True)  # on every page, not only home


def test_an_applicant_sees_their_application_not_a_second_offer(client, users, login_as, school, make_user):
    from schoolpeers.accounts.topics import list_topics
    from schoolpeers.mentors import services as mentors

    applicant = make_user("student", grade=10)
    mentors.apply_to_mentor(applicant, bio="Hi.", motivation="To help.", capacity=1,
                            topics=list_topics(school)[:1], availability=["mon-lunch"])
    db.session.commit()
    login_as(applicant)
    page = client.get("/").get_data(as_text=True)
    assert "Become a peer mentor" not in page and "My mentor application" in page
    assert "My mentees" not in page


def test_admin_home_leads_to_setup_letters_for_accounts_without_a_password(client, users, login_as):
    login_as(users["admin"])  # the fixture's accounts were made without a password
    page = client.get("/").get_data(as_text=True)
    assert re.search(r"\d+ accounts</a>\s+have not chosen a password yet", page)
    assert '<a href="/admin/setup-letters">Make setup letters</a>' in page


def test_people_counts_are_the_schools_active_people_and_the_counts_asked_for(app, school, other_school, users,
                                                                                make_user):
    from sqlalchemy import func, select

    from schoolpeers.accounts.models import ROLES, User
    from schoolpeers.home import people_counts
    from tests.factories import UserFactory

    make_user("student").password_hash = None  # still to set up their account
    make_user("student").active = False
    UserFactory(other_school)("student")
    db.session.commit()
    everyone = select(func.count()).select_from(User)
    counts, awaiting_setup, (in_all,) = people_counts(school.id, everyone)
    expected = {role: sum(u.role == role for u in users.values()) for role in ROLES}
    expected["student"] += 1
    assert counts == expected
    assert awaiting_setup == 1 + sum(u.password_hash is None for u in users.values())
    assert in_all == db.session.scalar(everyone)
