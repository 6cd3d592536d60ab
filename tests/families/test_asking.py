"""Asking families by mail: the signed link, its page without sign-in, expiry, reminders, and what
the school sees when an address is missing."""
import re
from datetime import timedelta
from email import message_from_bytes

from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.families import asking, services
from schoolpeers.families.consent import Rule, Standing
from schoolpeers.families.models import ConsentEvent, ConsentRequest
from schoolpeers.outbox import MailStatus, OutboxMail
from schoolpeers.timeutil import utcnow


def opt_in(school):
    services.save_policy(school, mentee_rule=Rule.OPT_IN, mentor_rule=Rule.OPT_OUT, younger_rule=Rule.OPT_IN,
                         programme_text="Mentors are trained older students.\nNotes are kept a year.",
                         family_contact="Ms Rivera, 01234 567 890")


def family(make_user, *, email="ana@example.org", children=1):
    kids = [make_user("student", grade=7, given_name=f"Kid{n}") for n in range(children)]
    guardian = services.add_guardian(kids[0], given_name="Ana", family_name="Ruiz", relationship="parent",
                                     email=email, phone=None)
    for kid in kids[1:]:
        from schoolpeers.accounts.models import GuardianStudent

        guardian.links.append(GuardianStudent(school_id=kid.school_id, student_id=kid.id))
    db.session.commit()
    return kids, guardian


def link_in(message) -> str:
    body = message_from_bytes(message.content).get_payload(decode=True).decode()
    return re.search(r"http://[^\s]+/families/answer/(\S+)", body).group(1)


def test_a_guardian_answers_from_the_mailed_link_on_a_page_without_sign_in(
        school, users, login_as, make_user, smtp_inbox, client):
    opt_in(school)
    (kid,), _guardian = family(make_user)
    counselor = login_as(users["counselor"])
    response = counselor.post(f"/families/students/{kid.id}/ask", follow_redirects=True)
    assert "Asked 1 family member by mail" in response.get_data(as_text=True)
    (message,) = smtp_inbox.messages
    assert message.rcpt_tos == ["ana@example.org"]
    token = link_in(message)
    with client.session_transaction() as session:
        session.clear()  # the guardian has no account
    response = client.get(f"/families/answer/{token}")
    page = response.get_data(as_text=True)
    assert "Kid0" in page and "Mentors are trained older students." in page and "Ms Rivera" in page
    assert (response.headers["Cache-Control"], response.headers["X-Robots-Tag"],
            response.headers["Referrer-Policy"]) == ("no-store", "noindex", "no-referrer")
    assert "Family0" not in page  # nothing but the child's first name
    client.post(f"/families/answer/{token}", data={"decision": "given"})
    assert services.standing_of(kid, "mentee") == Standing.GIVEN
    assert db.session.scalar(select(ConsentEvent.channel)) == "link"
    assert "withdraw" in client.get(f"/families/answer/{token}").get_data(as_text=True).lower()
    client.post(f"/families/answer/{token}", data={"decision": "withdrawn"})
    assert services.standing_of(kid, "mentee") == Standing.WITHDRAWN
    page = client.get(f"/families/answer/{token}").get_data(as_text=True)
    assert "You withdrew your consent" in page and "I agree" in page


def test_a_guardian_of_two_children_gets_one_link_per_child(school, users, make_user, app):
    opt_in(school)
    kids, guardian = family(make_user, children=2)
    with app.test_request_context():
        asked = asking.ask(kids, users["counselor"], utcnow())
    db.session.commit()
    assert len(asked.requests) == 2 and len({asking.link_token(r) for r in asked.requests}) == 2
    assert {r.student_id for r in asked.requests} == {k.id for k in kids}


def test_a_link_that_was_replaced_tampered_or_expired_explains_itself(school, users, make_user, app, client):
    opt_in(school)
    (kid,), _guardian = family(make_user)
    with app.test_request_context():
        first = asking.link_token(asking.ask([kid], None, utcnow()).requests[0])
        db.session.commit()
        request = asking.ask([kid], None, utcnow()).requests[0]  # asked again: a new link
        db.session.commit()
        second = asking.link_token(request)
    assert client.get(f"/families/answer/{first}").status_code == 404
    assert client.get(f"/families/answer/{second[:-2]}xx").status_code == 404
    assert client.get(f"/families/answer/{second}").status_code == 200
    request.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get(f"/families/answer/{second}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert "Ms Rivera" in expired.get_data(as_text=True)
    client.post(f"/families/answer/{second}", data={"decision": "given"})
    assert db.session.scalar(select(ConsentEvent)) is None


def test_a_missing_address_shows_on_the_schools_list_and_nothing_is_sent(
        school, users, login_as, make_user, smtp_inbox):
    opt_in(school)
    (kid,), _guardian = family(make_user, email=None)
    client = login_as(users["counselor"])
    flashed = client.post(f"/families/students/{kid.id}/ask", follow_redirects=True).get_data(as_text=True)
    assert "1 contact has no email address" in flashed
    assert smtp_inbox.messages == []
    assert "No email address" in client.get("/families/consent").get_data(as_text=True)


def test_reminders_go_weekly_twice_at_most_and_stop_once_answered(school, users, make_user, app, runner,
                                                                 smtp_inbox):
    opt_in(school)
    (kid,), _guardian = family(make_user)
    (other,), _ = family(make_user, email="bo@example.org")
    with app.test_request_context():
        asked = asking.ask([kid, other], None, utcnow() - timedelta(days=8))
    db.session.commit()
    services.record_answer(other, asked.requests[1].guardian, decision="given", channel="phone", note="",
                           actor=None)
    db.session.commit()
    result = runner.invoke(args=["families", "remind"])
    assert "1 reminders written, 3 mails sent." in result.output  # the two first mails waited until now
    reminder = smtp_inbox.messages[-1]
    assert reminder.rcpt_tos == ["ana@example.org"] and b"Reminder" in reminder.content
    assert "0 reminders" in runner.invoke(args=["families", "remind"]).output  # not a week yet
    request = db.session.get(ConsentRequest, asked.requests[0].id)
    request.reminded_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert "1 reminders" in runner.invoke(args=["families", "remind"]).output
    request.reminded_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert "0 reminders" in runner.invoke(args=["families", "remind"]).output  # twice at most


def test_the_queue_asks_everyone_waiting_for_consent(school, users, login_as, make_user, smtp_inbox):
    from tests.factories import make_request

    opt_in(school)
    (kid,), _guardian = family(make_user)
    make_request(kid)
    db.session.commit()
    client = login_as(users["counselor"])
    assert "waiting for consent" in client.get("/matching").get_data(as_text=True)
    client.post("/matching/ask-families")
    assert [m.rcpt_tos for m in smtp_inbox.messages] == [["ana@example.org"]]
    assert db.session.scalar(select(OutboxMail.status)) == MailStatus.SENT


def test_a_link_stops_when_its_guardian_is_no_longer_the_students_contact_or_the_address_changes(
        school, make_user, app, client):
    opt_in(school)
    kids, guardian = family(make_user, children=2)
    with app.test_request_context():
        first, second = (asking.link_token(r) for r in asking.ask(kids, None, utcnow()).requests)
    db.session.commit()
    services.remove_guardian(kids[0], guardian)  # e.g. a court order: still the sibling's contact
    db.session.commit()
    assert client.get(f"/families/answer/{first}").status_code == 404
    assert client.get(f"/families/answer/{second}").status_code == 200
    services.update_guardian(guardian, given_name="Ana", family_name="Ruiz", relationship="parent",
                             email="ana@new.example.org", phone=None)
    db.session.commit()
    assert client.get(f"/families/answer/{second}").status_code == 404
    assert db.session.scalar(select(ConsentRequest)) is None


def test_a_link_stops_when_the_student_leaves(school, make_user, app, client):
    opt_in(school)
    (kid,), _guardian = family(make_user)
    with app.test_request_context():
        token = asking.link_token(asking.ask([kid], None, utcnow()).requests[0])
    kid.active = False
    db.session.commit()
    assert client.get(f"/families/answer/{token}").status_code == 404
