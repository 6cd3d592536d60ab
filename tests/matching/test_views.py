from datetime import date, timedelta

import pytest
from sqlalchemy import select

from schoolpeers.accounts.topics import list_topics
from schoolpeers.extensions import db
from schoolpeers.matching import services
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors.models import Mentorship
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory, make_mentor, make_request

TODAY = date.today()

COUNSELOR_PAGES = [
    ("GET", "/matching"),
    ("POST", "/matching/run"),
    ("GET", "/matching/requests/new"),
    ("POST", "/matching/requests/new"),
    ("GET", "/matching/requests/{request}"),
    ("POST", "/matching/requests/{request}/choose"),
    ("POST", "/matching/requests/{request}/match-now"),
    ("POST", "/matching/requests/{request}/block"),
    ("POST", "/matching/proposals/{mentorship}/approve"),
    ("POST", "/matching/proposals/{mentorship}/reject"),
    ("POST", "/matching/proposals/approve-all"),
    ("GET", "/matching/mentorships"),
    ("POST", "/matching/mentorships/{mentorship}/end"),
]
STUDENT_PAGES = [("GET", "/request"), ("POST", "/request"), ("POST", "/request/withdraw"),
                 ("POST", "/request/ask-change")]


@pytest.fixture
def proposal(school, users, make_user):
    make_mentor(school, users["counselor"])
    req = make_request(make_user("student", grade=8, family_name="Queuedperson"))
    mentorship = services.match_single(req, users["counselor"], TODAY)
    db.session.commit()
    return mentorship


def call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


@pytest.mark.parametrize(("method", "url"), COUNSELOR_PAGES)
@pytest.mark.parametrize("role", ["anonymous", "student", "counselor", "staff", "admin", "other school"])
def test_counselor_pages(client, users, proposal, other_school, login_as, method, url, role):
    req = services.request_of(proposal)
    if role == "other school":
        login_as(UserFactory(other_school)("counselor"))
        db.session.commit()
    elif role != "anonymous":
        login_as(users[role])
    response = call(client, method, url.format(request=req.id, mentorship=proposal.id))
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif role in ("student", "staff", "admin"):
        assert response.status_code == 403
    elif role == "other school" and "{" in url:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 302)
        assert b"Queuedperson" not in response.data or role == "counselor"
    if role != "counselor":
        db.session.refresh(proposal)
        assert proposal.status == "proposed"  # nobody else can change anything


@pytest.mark.parametrize(("method", "url"), STUDENT_PAGES)
@pytest.mark.parametrize("role", ["anonymous", "counselor", "staff", "admin"])
def test_student_pages_refuse_adults(client, users, login_as, method, url, role):
    if role != "anonymous":
        login_as(users[role])
    assert call(client, method, url).status_code == (302 if role == "anonymous" else 403)


def test_student_requests_then_sees_mentor_after_approval(client, users, login_as, school):
    counselor, student = users["counselor"], users["student"]
    profile = make_mentor(school, counselor, grade=10, given_name="Amira")
    profile.bio = "I love drawing and football."
    db.session.commit()
    login_as(student)
    form = client.get("/request")
    assert b"Ask for a peer mentor" in form.data
    topic = list_topics(school)[0]
    response = client.post("/request", data={"topics": [topic.id], "availability": ["mon-lunch"],
                                             "note": "I am new here"})
    assert response.status_code == 302
    assert b"A counselor is finding the right" in client.get("/request").data
    login_as(counselor)
    queue = client.get("/matching")
    assert student.family_name.encode() in queue.data
    client.post("/matching/run")
    page = client.get("/matching")
    assert b"ideal step" in page.data or b"grade" in page.data
    mentorship = db.session.scalar(select(Mentorship))
    client.post(f"/matching/proposals/{mentorship.id}/approve")
    login_as(student)
    mine = client.get("/request")
    assert b"Meet your mentor" in mine.data and b"Amira" in mine.data and b"drawing" in mine.data
    assert profile.user.family_name.encode() not in mine.data  # first name only
    login_as(profile.user)
    mentees = client.get("/mentor/mentees")
    assert student.given_name.encode() in mentees.data


def test_request_form_refuses_unknown_ids_and_other_schools_topics(client, users, login_as, other_school):
    login_as(users["student"])
    foreign = list_topics(other_school)[0]
    response = client.post("/request", data={"topics": [foreign.id], "interests": ["abc"]})
    assert response.status_code == 200 and b"is not a valid choice" in response.data
    assert db.session.scalar(select(MentorRequest.id)) is None


def test_withdraw_and_ask_change(client, users, login_as, school):
    student = users["student"]
    make_request(student)
    db.session.commit()
    login_as(student)
    client.post("/request/withdraw")
    assert b"Ask for a peer mentor" in client.get("/request").data
    nothing = client.post("/request/ask-change", data={"note": "swap"}, follow_redirects=True)
    assert b"do not have an active mentor" in nothing.data


def test_counselor_rejects_with_reason_and_ends_with_reason(client, users, login_as, proposal):
    login_as(users["counselor"])
    no_reason = client.post(f"/matching/proposals/{proposal.id}/reject", data={"note": ""}, follow_redirects=True)
    assert b"Say why this pair" in no_reason.data
    client.post(f"/matching/proposals/{proposal.id}/reject", data={"note": "cousins"})
    db.session.refresh(proposal)
    assert proposal.status == "rejected"


def test_approve_all_reports_infeasible_proposals(client, users, login_as, proposal):
    proposal.profile.status = "paused"
    db.session.commit()
    login_as(users["counselor"])
    page = client.post("/matching/proposals/approve-all", follow_redirects=True)
    assert b"Approved 0 proposals" in page.data and b"not an active mentor (status: paused)" in page.data
    db.session.refresh(proposal)
    assert proposal.status == "proposed"


def test_end_mentorship_needs_a_known_reason(client, users, login_as, proposal):
    services.approve(proposal, users["counselor"], TODAY)
    db.session.commit()
    login_as(users["counselor"])
    bad = client.post(f"/matching/mentorships/{proposal.id}/end", data={"reason": "bored"}, follow_redirects=True)
    assert b"Choose a reason" in bad.data
    ok = client.post(f"/matching/mentorships/{proposal.id}/end", data={"reason": "not_a_good_fit"},
                     follow_redirects=True)
    assert b"back in the queue" in ok.data


def test_manual_choice_with_another_schools_mentor_is_404(client, users, login_as, proposal, other_school):
    outsider_counselor = UserFactory(other_school)("counselor")
    foreign = make_mentor(other_school, outsider_counselor)
    db.session.commit()
    login_as(users["counselor"])
    req = services.request_of(proposal)
    assert client.post(f"/matching/requests/{req.id}/choose", data={"profile_id": foreign.id}).status_code == 404
    assert client.post(f"/matching/requests/{req.id}/block", data={"profile_id": foreign.id}).status_code == 404


def test_counselor_creates_a_request_on_behalf(client, users, login_as, make_user):
    student = make_user("student", grade=7, username="leo")
    db.session.commit()
    login_as(users["counselor"])
    unknown = client.post("/matching/requests/new", data={"student": "nobody"})
    assert b"No student of this school has that username" in unknown.data
    made = client.post("/matching/requests/new", data={"student": "LEO"})
    assert made.status_code == 302
    req = db.session.scalar(select(MentorRequest))
    assert req.student_id == student.id and req.created_by_id == users["counselor"].id


def test_cli_run(runner, school, users, make_user):
    make_mentor(school, users["counselor"])
    make_request(make_user("student", grade=8))
    db.session.commit()
    result = runner.invoke(args=["matching", "run", "--school", school.slug])
    assert result.exit_code == 0 and "Proposed 1 pairs" in result.output
    assert "No school" in runner.invoke(args=["matching", "run", "--school", "nope"]).output


def test_mentor_page_never_shows_the_mentees_support_topics(client, users, login_as, school, make_user):
    profile = make_mentor(school, users["counselor"])
    mentee = make_user("student", grade=8)
    topic = list_topics(school)[0]
    m = services.match_single(make_request(mentee, topics=[topic]), users["counselor"], TODAY)
    services.approve(m, users["counselor"], TODAY)
    db.session.commit()
    login_as(profile.user)
    page = client.get("/mentor/mentees")
    assert mentee.given_name.encode() in page.data and topic.name.encode() not in page.data


def test_an_empty_request_is_questioned_next_to_its_fields(client, users, login_as, school):
    login_as(users["student"])
    page = client.post("/request", data={}).get_data(as_text=True)
    assert "Choose what you would like support with, or tick" in page
    assert "Choose at least one time you could meet" in page
    assert db.session.scalar(select(MentorRequest.id)) is None
    made = client.post("/request", data={"anything": "y", "availability": ["tue-after"]})
    assert made.status_code == 302
    mine = client.get("/request").get_data(as_text=True)
    assert "nothing in particular, someone to talk to" in mine and "Tue after school" in mine


def test_withdrawing_asks_first(client, users, login_as, school):
    make_request(users["student"])
    db.session.commit()
    login_as(users["student"])
    page = client.get("/request").get_data(as_text=True)
    question = page.split('<details class="confirm">')[1].split("</details>")[0]
    assert "Are you sure?" in question and "Yes, withdraw my request" in question
    assert page.count('action="/request/withdraw"') == 1  # the only way to send it is inside the question


def test_a_matching_run_counts_in_words_and_marks_what_it_proposed(client, users, login_as, school, make_user):
    make_mentor(school, users["counselor"], capacity=1)
    make_request(make_user("student", grade=8, given_name="Leo"))
    make_request(make_user("student", grade=8, given_name="Mia"))
    db.session.commit()
    login_as(users["counselor"])
    page = client.post("/matching/run", follow_redirects=True).get_data(as_text=True)
    assert "Matching proposed 1 pair; 1 student is still waiting" in page
    assert page.count('class="proposal new"') == 1 and '<span class="badge new">New</span>' in page
    assert '<span class="role-label">Mentee</span>' in page and '<span class="role-label">Mentor</span>' in page
    assert '<span class="of"> of 100</span>' in page


def test_the_queue_says_how_long_each_student_has_waited(client, users, login_as, school, make_user):
    old = make_request(make_user("student", grade=8))
    old.created_at = utcnow() - timedelta(days=3)
    make_request(make_user("student", grade=8))
    db.session.commit()
    login_as(users["counselor"])
    page = client.get("/matching").get_data(as_text=True)
    assert ">3 days</td>" in page and ">since today</td>" in page


def test_the_request_page_shows_meeting_times_and_approves_its_proposal(client, users, login_as, proposal):
    login_as(users["counselor"])
    req = db.session.scalar(select(MentorRequest).where(MentorRequest.mentorship_id == proposal.id))
    page = client.get(f"/matching/requests/{req.id}").get_data(as_text=True)
    assert "Mon lunchtime" in page and f'action="/matching/proposals/{proposal.id}/approve"' in page
    client.post(f"/matching/proposals/{proposal.id}/approve")
    assert db.session.get(Mentorship, proposal.id).status == "active"
