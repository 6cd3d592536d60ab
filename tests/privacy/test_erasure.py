import json
from datetime import date

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import RecoveryCode, User
from schoolpeers.accounts.sso_models import SsoIdentity
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.models import (
    CheckIn,
    CheckInRevision,
    CheckInTopic,
    MenteeFeedback,
    Mentorship,
    SelfCheckIn,
)
from schoolpeers.oversight.append_only import REDACTED_ON_ERASURE
from schoolpeers.oversight.models import Concern, ConcernEvent
from schoolpeers.privacy import erasure
from schoolpeers.timeutil import utcnow
from tests.factories import make_district


def erase(student, admin):
    result = erasure.erase_student(student, reason="Parent's request 2024-17", actor=admin, now=utcnow())
    db.session.commit()
    db.session.expire_all()
    return result


@pytest.fixture
def noor(old_mentorship, users, school):
    """The mentee of a closed mentorship, with a new open request and recovery codes."""
    student = old_mentorship.mentee
    student.roster_id, student.totp_secret, student.setup_nonce = "R-17", "JBSWY3DPEHPK3PXP", "nonce"
    db.session.add(RecoveryCode(school_id=school.id, user_id=student.id, code_hash="x"))
    matching.create_request(student, interests=[], topics=[], language="arabic", same_gender=True,
                            availability=["mon-lunch"], note="Please someone who speaks Arabic.", created_by=student)
    db.session.commit()
    return student


def test_the_profile_becomes_an_anonymous_record_that_keeps_the_grade(noor, users):
    username, version = noor.username, noor.session_version
    erase(noor, users["admin"])
    assert (noor.given_name, noor.family_name, noor.grade) == ("Erased", "student", 7)
    assert noor.username != username and noor.username.startswith("erased-")
    assert (noor.email, noor.password_hash, noor.setup_nonce, noor.gender) == (None,) * 4
    assert noor.roster_id.startswith("erased:") and "R-17" not in noor.roster_id  # a tombstone, no id
    assert noor.languages == [] and noor.interests == [] and noor.totp_secret is None
    assert not noor.active and noor.erased_at is not None and noor.session_version > version
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


def test_the_link_to_the_students_school_account_is_forgotten(noor, users, school):
    provider = make_district(school, "erasing")["provider"]
    db.session.add(SsoIdentity(district_id=provider.district_id, school_id=school.id, provider_id=provider.id,
                               subject="g-noor", user_id=noor.id))
    db.session.commit()
    erase(noor, users["admin"])
    assert db.session.scalar(select(func.count()).select_from(SsoIdentity)) == 0  # the provider's id of her


def test_unlink_keeps_numeric_rows_without_any_text(noor, users, old_mentorship):
    result = erase(noor, users["admin"])
    assert result.mode == "unlink" and result.counts["check-ins kept without text"] == 1
    checkin = db.session.scalar(select(CheckIn).where(CheckIn.mentee_id == noor.id))
    assert (checkin.notes, checkin.worry_reason, checkin.wellbeing) == (None, None, 2)
    assert all(r.previous["notes"] is None for r in checkin.revisions)
    assert db.session.scalar(select(MenteeFeedback.comment)) == ""
    assert db.session.execute(select(SelfCheckIn.note, SelfCheckIn.wellbeing)).all() == [(None, 3)]
    assert all(e.note == "" for e in old_mentorship.events) and old_mentorship.explanation == ""
    requests = db.session.scalars(select(MentorRequest).where(MentorRequest.student_id == noor.id)).all()
    assert {r.status for r in requests} == {"closed", "withdrawn"}
    assert all(r.note == "" and r.language is None and r.interests == [] for r in requests)


def test_concerns_are_kept_with_their_facts_and_redacted_text(noor, users):
    before = db.session.execute(select(Concern.id, Concern.severity, Concern.source, Concern.outcome)).all()
    erase(noor, users["admin"])
    assert db.session.execute(select(Concern.id, Concern.severity, Concern.source, Concern.outcome)).all() == before
    assert set(db.session.scalars(select(Concern.summary))) == {REDACTED_ON_ERASURE}
    assert set(db.session.scalars(select(ConcernEvent.note)).all()) <= {REDACTED_ON_ERASURE, ""}


def test_delete_mode_deletes_checkins_except_those_a_concern_points_to(noor, users, school, old_mentorship):
    school.erasure_mode = "delete"
    m = old_mentorship
    plain = CheckIn(school_id=school.id, mentorship_id=m.id, mentor_id=m.mentor_id, mentee_id=noor.id,
                    occurred_on=date.today(), duration_minutes=20, mode="online", wellbeing=4, notes="Fine.")
    db.session.add(plain)
    db.session.flush()
    plain_id = plain.id
    db.session.add(CheckInTopic(school_id=school.id, checkin_id=plain_id, topic_id=m.profile.topics[0].id))
    db.session.commit()
    result = erase(noor, users["admin"])
    assert result.counts["check-ins deleted"] == 1 and result.counts["check-ins kept without text"] == 1
    assert db.session.get(CheckIn, plain_id) is None
    assert result.counts["own check-ins deleted"] == 1  # no concern points to it
    assert db.session.scalar(select(func.count()).select_from(SelfCheckIn)) == 0
    assert db.session.scalar(select(func.count()).select_from(CheckInTopic)) == 0
    kept = db.session.scalar(select(CheckIn).where(CheckIn.mentee_id == noor.id))
    assert kept.notes is None and db.session.scalar(select(func.count()).select_from(CheckInRevision)) == 1


def test_open_work_is_ended_and_a_mentors_mentees_go_back_to_the_queue(mentorship, users):
    mentor = mentorship.mentor
    result = erase(mentor, users["admin"])
    assert result.counts["mentorships ended"] == 1
    assert mentorship.status == "closed" and mentorship.end_reason == "mentor_left"
    assert matching.request_of(mentorship) is None  # the mentee's request is open again, for a new mentor
    assert matching.current_request(mentorship.mentee).status == "open"
    profile = mentors.profile_for(mentor)
    assert (profile.bio, profile.motivation, profile.status) == ("", "", "paused")


def test_erasing_the_mentee_ends_their_active_mentorship(mentorship, users):
    erase(mentorship.mentee, users["admin"])
    assert (mentorship.status, mentorship.end_reason) == ("closed", "mentee_left")
    assert db.session.scalar(select(func.count()).select_from(Mentorship).where(Mentorship.status == "active")) == 0


@pytest.mark.parametrize(("who", "message"), [("counselor", "Only students"), ("admin", "Only students")])
def test_only_students_are_erased(users, who, message):
    with pytest.raises(erasure.ErasureError, match=message):
        erasure.erase_student(users[who], reason="r", actor=users["admin"], now=utcnow())


def test_refusals_change_nothing(users, outsider):
    student = users["student"]
    for reason, actor, message in (("  ", users["admin"], "reason"), ("r", outsider, "own school"),
                                   ("x" * 501, users["admin"], "at most")):
        with pytest.raises(erasure.ErasureError, match=message):
            erasure.erase_student(student, reason=reason, actor=actor, now=utcnow())
    erase(student, users["admin"])
    with pytest.raises(erasure.ErasureError, match="already"):
        erasure.erase_student(student, reason="again", actor=users["admin"], now=utcnow())


# --- the admin page -----------------------------------------------------------------------------

def test_page_erases_with_reason_and_typed_username_and_audits_without_personal_data(
        client, login_as, noor, users):
    admin = users["admin"]
    login_as(admin)
    url = f"/admin/users/{noor.id}/erase"
    page = client.get(url)
    assert page.status_code == 200 and b"Kept as numbers" not in page.data and b"Keep the numbers" in page.data
    wrong = client.post(url, data={"reason": "Parent's request", "confirm_username": "someone"})
    assert wrong.status_code == 200 and b"not this student" in wrong.data
    assert db.session.get(User, noor.id).erased_at is None
    username, email, name = noor.username, noor.email, noor.given_name
    done = client.post(url, data={"reason": "Parent's request 2024-17", "confirm_username": username.upper()})
    assert done.status_code == 302 and done.location.endswith(f"/admin/users/{noor.id}")
    assert db.session.get(User, noor.id).erased_at is not None
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.erase")).all()
    assert event.actor_id == admin.id and event.record_id == noor.id
    assert event.detail["reason"] == "Parent's request 2024-17" and event.detail["mode"] == "unlink"
    assert not any(value in json.dumps(event.detail) for value in (username, email, name))
    detail = client.get(done.location)
    assert b"Erased student" in detail.data and b"personal data erased on" in detail.data
    assert b"Make a new setup link" not in detail.data
    assert client.get(url).status_code == 302  # already erased


def test_the_erased_students_session_ends(client, login_as, users):
    student = users["student"]
    login_as(student)
    assert client.get("/").status_code == 200
    erase(student, users["admin"])
    assert client.get("/").status_code == 302


def test_page_is_for_students_of_the_school_only(client, login_as, users, outsider):
    login_as(users["admin"])
    assert client.get(f"/admin/users/{users['staff'].id}/erase").status_code == 404
    login_as(outsider)
    assert client.get(f"/admin/users/{users['student'].id}/erase").status_code == 404


def test_a_failure_half_way_leaves_everything_as_it_was(client, login_as, noor, users, monkeypatch):
    def fail(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure, "_anonymise_account", fail)
    login_as(users["admin"])
    response = client.post(f"/admin/users/{noor.id}/erase",
                           data={"reason": "Parent's request", "confirm_username": noor.username})
    assert response.status_code == 500
    db.session.expire_all()
    assert db.session.get(User, noor.id).erased_at is None
    assert REDACTED_ON_ERASURE not in db.session.scalars(select(Concern.summary)).all()
    assert db.session.scalar(select(func.count()).select_from(MentorRequest).where(
        MentorRequest.status == "open")) == 1


def test_settings_offer_the_erasure_mode(client, login_as, users, school):
    from tests.accounts.test_admin_views import settings_data

    login_as(users["admin"])
    page = client.get("/admin/settings")
    assert b"Deleted: they disappear from reports too" in page.data
    assert client.post("/admin/settings", data=settings_data(erasure_mode="delete")).status_code == 302
    db.session.refresh(school)
    assert school.erasure_mode == "delete"
    refused = client.post("/admin/settings", data=settings_data(erasure_mode="shred"))
    assert refused.status_code == 200 and b"Not a valid choice" in refused.data


def test_an_erased_account_cannot_be_reactivated_given_a_link_or_a_role(login_as, users, make_user):
    noor = make_user("student")
    db.session.commit()
    erase(noor, users["admin"])
    db.session.commit()
    client = login_as(users["admin"])
    for url, data in ((f"/admin/users/{noor.id}/active", {"active": "1"}),
                      (f"/admin/users/{noor.id}/setup-link", {}),
                      (f"/admin/users/{noor.id}/role", {"role": "staff"})):
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code == 200 and b"was erased on request" in response.data, url
    noor = db.session.get(User, noor.id)
    assert not noor.active and noor.role == "student" and noor.setup_nonce is None


def test_an_erased_student_is_never_created_again_by_an_import(noor, users, school):
    from schoolpeers.accounts.roster import plan_import

    erase(noor, users["admin"])
    db.session.commit()
    plan = plan_import(school, "id,given_name,family_name,grade,email,role\nR-17,Noor,Haddad,7,noor@x.org,student\n")
    assert plan.create == [] and "erased on request" in plan.skipped[0].reason


def test_an_erased_student_loses_their_guardian_links_and_never_gets_them_back(noor, users, school):
    from schoolpeers import outbox
    from schoolpeers.accounts.models import Guardian
    from schoolpeers.accounts.roster import apply_import, plan_import
    from schoolpeers.families import services as families

    header = "sourcedId,status,role,givenName,familyName,grades,agentSourcedIds,email\n"
    guardians = ("G1,,guardian,Rana,Haddad,,R-17,rana@x.org\n"  # Noor's only
                 "G2,,parent,Omar,Haddad,,\"R-17,R-18\",\n")  # Noor's and a sibling's
    apply_import(school, plan_import(school, header + guardians))
    families.record_answer(noor, None, decision="given", channel="paper", note="Rana signed", actor=None)
    outbox.queue(school.id, "family_matched", "rana@x.org", "Noor has a peer mentor", "Dear Rana", about=noor.id)
    db.session.commit()
    result = erase(noor, users["admin"])
    db.session.commit()
    assert result.counts["guardian links removed"] == 2 and result.counts["consent answers removed"] == 1
    assert families.history(noor) == [] and families.guardians_of(noor) == []
    assert result.counts["mails removed"] == 1
    assert {g.roster_id: g.student_roster_ids for g in db.session.scalars(select(Guardian))} == {
        "G2": ["R-18"]}
    again = plan_import(school, header + guardians)  # the next export still lists them
    assert [(g.roster_id, g.students) for g in again.guardians] == []
