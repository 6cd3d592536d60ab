"""Reminders go once, by mail or not as each person chooses, and never carry what was said."""
from datetime import date, timedelta

from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.mentors.self_checkins import SelfCheckInData, record_self_checkin
from schoolpeers.notifications import reminders
from schoolpeers.notifications.models import Meeting, ReminderSent
from schoolpeers.outbox import OutboxMail
from schoolpeers.timeutil import utcnow


def sent(kind=None):
    query = select(ReminderSent)
    if kind:
        query = query.where(ReminderSent.kind == kind)
    return db.session.scalars(query).all()


def reminder_mails():
    return db.session.scalars(select(OutboxMail).where(OutboxMail.kind.like("reminder_%"))).all()


def test_a_second_run_sends_nothing(mentorship, users):
    first = reminders.send_reminders(utcnow())
    # began ten days ago with a cadence of 14: no check-in due yet; the mentee's own is due (never done)
    assert first[("self_checkin_due", "mail")] == 1 and ("checkin_due", "mail") not in first
    assert ("counselor_digest", "mail") not in first  # nothing new, overdue or waiting: no digest
    assert sum(reminders.send_reminders(utcnow()).values()) == 0
    assert len(reminder_mails()) == len(sent())


def test_a_mentor_is_reminded_once_per_due_period(mentorship, school):
    school.checkin_cadence_days = 7
    db.session.commit()
    reminders.send_reminders(utcnow())
    [due] = sent("checkin_due")
    assert due.user_id == mentorship.mentor_id
    checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(
        date.today() - timedelta(days=8), 20, "online", 4, notes="She said she is being hurt at home."),
        date.today())
    db.session.commit()
    reminders.send_reminders(utcnow())
    assert len(sent("checkin_due")) == 2  # a new period: the last check-in is eight days old
    assert not any("hurt" in m.body for m in reminder_mails())


def test_tomorrows_meeting_and_the_mentees_own_check_in(mentorship, school):
    record_self_checkin(mentorship.mentee, SelfCheckInData(4), date.today())
    db.session.add(Meeting(school_id=school.id, mentorship_id=mentorship.id, mentor_id=mentorship.mentor_id,
                           mentee_id=mentorship.mentee_id, starts_at=utcnow() + timedelta(days=1), minutes=30,
                           place="Library"))
    db.session.commit()
    reminders.send_reminders(utcnow())
    [meeting] = sent("meeting_tomorrow")
    assert meeting.user_id == mentorship.mentor_id and not sent("self_checkin_due")  # checked in today


def test_choosing_none_keeps_reminders_off_mail(mentorship, users):
    mentorship.mentee.reminders_by_mail = False
    db.session.commit()
    reminders.send_reminders(utcnow())
    [own] = sent("self_checkin_due")
    assert own.channel == "none" and all(m.to_address != mentorship.mentee.email for m in reminder_mails())


def test_the_digest_is_only_counts(mentorship, users, school):
    record_self_checkin(mentorship.mentee, SelfCheckInData(1, note="I want to disappear"), date.today())
    db.session.commit()
    reminders.send_reminders(utcnow())
    [digest] = [m for m in reminder_mails() if m.kind == "reminder_counselor_digest"]
    assert "new concerns in the last day: 1" in digest.body and "disappear" not in digest.body
    assert mentorship.mentee.given_name not in digest.body


def test_the_command_runs_daily_from_cron(app, mentorship):
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0 and "reminders" in result.output
    again = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert again.output.startswith("0 reminders")


def test_a_person_chooses_on_their_page(client, users, login_as):
    login_as(users["counselor"])
    assert b"daily summary" in client.get("/me/reminders").data
    client.post("/me/reminders", data={"channel": "none"})
    db.session.refresh(users["counselor"])
    assert users["counselor"].reminders_by_mail is False
    assert client.post("/me/reminders", data={"channel": "pigeon"}).status_code == 200


def test_reminders_reach_the_real_mail_server_without_what_was_said(mentorship, smtp_inbox):
    mentorship.mentee.email = "leo@school.example"
    db.session.commit()
    reminders.send_reminders(utcnow())
    [mail] = smtp_inbox.messages
    assert mail.rcpt_tos == ["leo@school.example"] and b"How are you doing?" in mail.content
    assert b"/me/checkin" in mail.content
