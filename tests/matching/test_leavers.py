"""A student who leaves (deactivated by an admin or by a roster import) ends their open mentoring work
in the same transaction; history stays and reactivation restores none of it."""
from __future__ import annotations

from datetime import date

import pytest

from schoolpeers.accounts import services as accounts
from schoolpeers.accounts.roster import apply_import, plan_import
from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.mentors import checkins
from schoolpeers.mentors.services import MentorshipError
from tests.factories import make_mentor, make_request

TODAY = date.today()


@pytest.fixture
def pair(school, users):
    """An active mentorship: users["student"] mentored by a certified mentor."""
    counselor = users["counselor"]
    profile = make_mentor(school, counselor)
    mentorship = matching.match_single(make_request(users["student"]), counselor, TODAY)
    matching.approve(mentorship, counselor, TODAY)
    db.session.commit()
    return profile, mentorship


def test_a_mentee_deactivated_by_an_admin_leaves_the_mentorship(pair, users):
    profile, mentorship = pair
    accounts.set_active(users["student"], False, acting_user=users["admin"])
    db.session.commit()
    assert mentorship.status == "closed" and mentorship.end_reason == "mentee_left"
    assert matching.request_of(mentorship).status == "closed"
    assert mentorship.events[-1].kind == "closed" and mentorship.events[-1].actor_id == users["admin"].id
    with pytest.raises(Exception, match="(?i)active|mentorship"):
        checkins.log_checkin(mentorship, profile.user, checkins.CheckInData(TODAY, 20, "online", 4), TODAY)
    db.session.rollback()
    accounts.set_active(users["student"], True, acting_user=users["admin"])
    db.session.commit()
    assert mentorship.status == "closed"  # reactivation restores none of it


def test_a_mentor_leaving_by_import_sends_the_mentee_back_to_the_queue(pair, school, users):
    profile, mentorship = pair
    mentor = profile.user
    mentor.roster_id = "M1"
    db.session.commit()
    header = "sourcedId,status,enabledUser,role,username,givenName,familyName,grades,email\n"
    plan = plan_import(school, header + f"M1,tobedeleted,true,student,,{mentor.given_name},{mentor.family_name},"
                                        f"{mentor.grade},\n")
    assert plan.deactivated_students == 1
    assert apply_import(school, plan, users["admin"], confirmed=1).deactivated == 1  # 1 of 2: over 10%
    db.session.commit()
    assert mentorship.status == "closed" and mentorship.end_reason == "mentor_left"
    assert profile.status == "paused"
    assert users["student"].id in {r.student_id for r in matching.waiting_requests(school.id)}


def test_a_waiting_request_and_a_proposal_are_withdrawn(school, users):
    counselor = users["counselor"]
    make_mentor(school, counselor)
    waiting = make_request(users["student"])
    proposal = matching.match_single(waiting, counselor, TODAY)
    db.session.commit()
    assert proposal.status == "proposed"
    accounts.set_active(users["student"], False, acting_user=users["admin"])
    db.session.commit()
    assert waiting.status == "withdrawn" and proposal.status == "rejected"
    with pytest.raises(MentorshipError):
        matching.withdraw_request(waiting, users["admin"])  # nothing left open


def test_the_counselor_dashboard_says_whose_mentor_left(pair, login_as, users):
    profile, _mentorship = pair
    client = login_as(users["counselor"])
    assert "their mentor left" not in client.get("/oversight").get_data(as_text=True)
    accounts.set_active(profile.user, False, acting_user=users["admin"])
    db.session.commit()
    page = client.get("/oversight").get_data(as_text=True)
    assert "Back in the queue: their mentor left the school (1)" in page
    assert f"{users['student'].display_name}</a> was mentored by {profile.user.display_name}" in page
