"""A second person for what would let an admin read counselors' notes: the admin asks, a counselor decides."""
import re

import pytest
from sqlalchemy import select

from schoolpeers.accounts import approvals
from schoolpeers.accounts.models import AccountApproval, User
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.accounts.test_two_factor_views import enrol
from tests.factories import PASSWORD, roster_upload_id, upload_roster


def pending(user):
    return db.session.scalars(select(AccountApproval.kind).where(
        AccountApproval.user_id == user.id, AccountApproval.status == "pending")).all()


def decide(client, approval_id, decision="approve"):
    return client.post(f"/approvals/{approval_id}/{decision}", follow_redirects=True)


@pytest.fixture
def second_counselor(make_user):
    person = make_user("counselor", email="second@example.org")
    db.session.commit()
    return person


def test_making_a_counselor_waits_for_a_counselor_then_happens(client, login_as, users, smtp_inbox):
    staff = users["staff"]
    page = login_as(users["admin"]).post(f"/admin/users/{staff.id}/role", data={"role": "counselor"},
                                         follow_redirects=True)
    assert b"A counselor must approve this" in page.data and b"Waiting for a counselor" in page.data
    db.session.expire_all()
    assert staff.role == "staff" and pending(staff) == ["grant_counselor"]
    told = {rcpt for message in smtp_inbox.messages for rcpt in message.rcpt_tos}
    assert told == {staff.email, users["counselor"].email}  # the owner, and who may approve
    assert all(staff.given_name.encode() not in m.content for m in smtp_inbox.messages)  # no names in mail

    login_as(users["counselor"])
    listing = client.get("/approvals")
    assert staff.display_name.encode() in listing.data and b"Approve</button>" in listing.data
    [approval_id] = db.session.scalars(select(AccountApproval.id)).all()
    version = staff.session_version
    approved = decide(client, approval_id).get_data(as_text=True)
    assert "Approved and done" in approved and "/setup/" in approved  # the link goes to the approver
    db.session.expire_all()
    assert staff.role == "counselor" and staff.session_version > version and pending(staff) == []
    # Nobody who held the account's keys before (perhaps the admin who asked) holds them now.
    assert staff.password_hash is None and staff.totp_enabled_at is None and staff.setup_nonce
    assert {"approval.asked", "approval.approved"} <= set(db.session.scalars(select(AuditEvent.action)))


def test_refused_nothing_changes_and_a_decision_is_taken_once(client, login_as, users, second_counselor):
    staff = users["staff"]
    approval = approvals.ask("grant_counselor", staff, users["admin"])
    db.session.commit()
    login_as(users["counselor"])
    assert b"Refused" in decide(client, approval.id, "refuse").data
    login_as(second_counselor)
    assert b"already decided" in decide(client, approval.id).data
    db.session.expire_all()
    assert staff.role == "staff" and approval.status == "refused" and approval.decided_by_id == users["counselor"].id


def test_the_owner_never_approves_their_own_change(client, login_as, users, second_counselor):
    counselor = users["counselor"]
    enrol(counselor)
    login_as(users["admin"]).post(f"/admin/users/{counselor.id}/two-factor/reset")
    db.session.expire_all()
    assert counselor.totp_enabled_at is not None and pending(counselor) == ["reset_two_factor"]
    [approval_id] = db.session.scalars(select(AccountApproval.id)).all()
    login_as(counselor)
    assert b"about your own account" in client.get("/approvals").data
    assert b"about your own account" in decide(client, approval_id).data
    db.session.expire_all()
    assert counselor.totp_enabled_at is not None
    login_as(second_counselor)
    decide(client, approval_id)
    db.session.expire_all()
    assert counselor.totp_enabled_at is None


def test_an_admins_two_factor_reset_waits_too_and_a_staff_members_does_not(client, login_as, users, make_user):
    other_admin, staff = make_user("admin"), users["staff"]
    enrol(other_admin)
    enrol(staff)
    login_as(users["admin"])
    client.post(f"/admin/users/{other_admin.id}/two-factor/reset")
    client.post(f"/admin/users/{staff.id}/two-factor/reset")
    db.session.expire_all()
    assert other_admin.totp_enabled_at is not None and pending(other_admin) == ["reset_two_factor"]
    assert staff.totp_enabled_at is None and pending(staff) == []


def test_a_setup_link_for_an_account_with_a_password_waits_and_goes_to_the_approver(
        app, client, login_as, users, make_user):
    student = make_user("student", password=PASSWORD)
    newcomer = make_user("student")  # no password yet: a first setup link needs nobody else
    counselor_to_be = make_user("counselor")  # but a counselor's account is only set up through a counselor
    db.session.commit()
    login_as(users["admin"])
    assert b"/setup/" not in client.post(f"/admin/users/{counselor_to_be.id}/setup-link", follow_redirects=True).data
    assert pending(counselor_to_be) == ["setup_link"]
    assert b"/setup/" not in client.post(f"/admin/users/{student.id}/setup-link", follow_redirects=True).data
    assert b"/setup/" in client.post(f"/admin/users/{newcomer.id}/setup-link").data
    db.session.expire_all()
    assert student.setup_nonce is None and pending(student) == ["setup_link"]
    [approval_id] = db.session.scalars(select(AccountApproval.id).where(AccountApproval.user_id == student.id))
    login_as(users["counselor"])
    page = client.post(f"/approvals/{approval_id}/approve")
    path = re.search(r'value="https?://[^/"]+(/setup/[^"]+)"', page.get_data(as_text=True)).group(1)
    assert app.test_client().get(path).status_code == 200  # the link works: the approver hands it over


def test_asking_twice_makes_one_request(login_as, users, client):
    staff = users["staff"]
    login_as(users["admin"])
    for _ in range(2):
        client.post(f"/admin/users/{staff.id}/role", data={"role": "counselor"})
    assert pending(staff) == ["grant_counselor"]


def test_an_admin_creating_a_counselor_creates_staff_until_approved(client, login_as, users):
    login_as(users["admin"])
    client.post("/admin/users/new", data={"given_name": "Nia", "family_name": "Okafor", "role": "counselor",
                                          "username": "nia.okafor", "email": "nia@example.org"})
    nia = db.session.scalar(select(User).where(User.username == "nia.okafor"))
    assert nia.role == "staff" and pending(nia) == ["grant_counselor"]
    # Her setup link, which the admin could keep for herself, waits for a counselor too.
    assert b"/setup/" not in client.post(f"/admin/users/{nia.id}/setup-link", follow_redirects=True).data
    assert sorted(pending(nia)) == ["grant_counselor", "setup_link"]


def test_a_roster_upload_makes_new_counselors_staff_until_approved(client, login_as, users):
    login_as(users["admin"])
    content = "roster_id,given_name,family_name,role,grade,email\nT1,Ola,Berg,counselor,,ola@example.org\n"
    page = upload_roster(client, content)
    assert b"1 new counselor\n    starts as staff" in page.data
    client.post("/admin/roster/apply", data={"upload": roster_upload_id(page), "mode": "delta"})
    ola = db.session.scalar(select(User).where(User.roster_id == "T1"))
    assert ola.role == "staff" and pending(ola) == ["grant_counselor"]


def test_admins_and_staff_do_not_decide(client, login_as, users):
    approval = approvals.ask("grant_counselor", users["staff"], users["admin"])
    db.session.commit()
    for role in ("admin", "staff"):
        login_as(users[role])
        assert client.post(f"/approvals/{approval.id}/approve").status_code == 403
    assert approval.status == "pending"


def test_the_operator_resets_a_sole_counselors_two_factor_from_the_command_line(runner, school, users):
    counselor = users["counselor"]
    enrol(counselor)
    result = runner.invoke(args=["accounts", "reset-two-factor", school.slug, counselor.username])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert counselor.totp_enabled_at is None
    again = runner.invoke(args=["accounts", "reset-two-factor", school.slug, counselor.username])
    assert again.exit_code != 0 and "no two-factor sign-in" in again.output
    assert "No account" in runner.invoke(args=["accounts", "reset-two-factor", "elsewhere", "nobody"]).output
