"""The benchmark's floor pages do what every signed-in page does, so their throughput is a true floor."""
import pytest

from bench.floor_app import EMPTY_PAGE, SIGNED_IN_TEXT, with_floor_pages
from schoolpeers import create_app
from schoolpeers.extensions import db
from schoolpeers.oversight import services
from schoolpeers.timeutil import utcnow
from tests.conftest import FreshUserClient, login


@pytest.fixture(scope="module")
def floor_app(app):
    """A second app (a blueprint cannot join the shared app once it has served) on the same database."""
    same_database = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    floor_app = with_floor_pages(create_app("testing", same_database))
    floor_app.test_client_class = FreshUserClient
    yield floor_app
    with floor_app.app_context():
        db.engine.dispose()


@pytest.fixture
def floor_client(floor_app):
    return floor_app.test_client()


@pytest.mark.parametrize("path", [SIGNED_IN_TEXT, EMPTY_PAGE])
def test_a_visitor_is_sent_to_sign_in(floor_client, path):
    response = floor_client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_signed_in_person_gets_the_text_and_the_layout(floor_client, users):
    login(floor_client, users["student"])
    assert floor_client.get(SIGNED_IN_TEXT).get_data(as_text=True) == "signed in as student"
    page = floor_client.get(EMPTY_PAGE)
    assert page.status_code == 200
    assert b"My mentor" in page.data and b"Sign out" in page.data and b'name="csrf_token"' in page.data
    assert page.headers["Cache-Control"] == "no-store"


def test_a_counselors_empty_page_counts_the_urgent_concerns(floor_client, school, users):
    services.raise_concern(school, users["student"], source="manual", severity="high", summary="Very low today",
                           raised_by=users["counselor"], now=utcnow())
    db.session.commit()
    login(floor_client, users["counselor"])
    assert b"1 urgent concern" in floor_client.get(EMPTY_PAGE).data


def test_a_session_that_ended_is_refused(floor_client, users):
    login(floor_client, users["student"])
    with floor_client.session_transaction() as session:
        session["seen_at"] -= 24 * 3600
    assert floor_client.get(SIGNED_IN_TEXT).status_code == 302
