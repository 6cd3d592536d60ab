"""Alert mail to counselors and the designated lead, against a real local SMTP server."""
from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.oversight import services
from schoolpeers.oversight.models import ConcernEvent
from schoolpeers.timeutil import utcnow


def test_alarming_checkin_mails_every_counselor(client, users, mentorship, login_as, smtp_inbox, make_user):
    second = make_user("counselor", email="second@example.org")
    db.session.commit()
    login_as(mentorship.mentor)
    page = client.post(f"/mentor/mentorships/{mentorship.id}/checkin", data={
        "occurred_on": mentorship.began_on.isoformat(), "duration_minutes": 30, "mode": "in_person",
        "wellbeing": "2", "notes": "He told me he has been cutting himself again."}, follow_redirects=True)
    assert b"What to do now" in page.data
    [message] = smtp_inbox.messages
    assert set(message.rcpt_tos) == {users["counselor"].email, second.email}
    body = message.content.decode()
    assert "/oversight/concerns/" in body and "cutting" not in body and "Leo" not in body
    assert db.session.scalar(select(ConcernEvent.kind).where(ConcernEvent.kind == "mailed")) == "mailed"


def test_escalation_mails_the_designated_lead(runner, school, users, smtp_inbox):
    from datetime import timedelta

    school.designated_lead_id = users["counselor"].id
    services.raise_concern(school, users["student"], source="manual", severity="high", summary="x",
                           raised_by=None, now=utcnow() - timedelta(hours=2))
    db.session.commit()
    result = runner.invoke(args=["oversight", "escalate"])
    assert "Escalated 1 concerns" in result.output
    assert [m.rcpt_tos for m in smtp_inbox.messages] == [[users["counselor"].email]]
    again = runner.invoke(args=["oversight", "escalate"])
    assert "Escalated 0 concerns" in again.output and len(smtp_inbox.messages) == 1
