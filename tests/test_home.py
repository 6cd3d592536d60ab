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
