"""The outbox: mail written with a change, sent after the commit, once, whatever another mail does."""
from datetime import timedelta

from sqlalchemy import select, update

from schoolpeers import outbox
from schoolpeers.extensions import db
from schoolpeers.outbox import MailStatus, OutboxMail
from schoolpeers.timeutil import utcnow


def statuses() -> list[str]:
    return list(db.session.scalars(select(OutboxMail.status).order_by(OutboxMail.id)))


def test_a_mail_rolled_back_with_its_change_is_never_sent(school, smtp_inbox):
    outbox.queue(school.id, "test", "a@example.org", "Hello", "Body")
    db.session.rollback()
    assert outbox.deliver() == 0 and smtp_inbox.messages == []


def test_each_mail_is_sent_once_and_a_subject_cannot_split_a_header(school, smtp_inbox):
    outbox.queue(school.id, "test", "a@example.org", "Line one\r\nBcc: evil@example.org", "Body")
    outbox.queue(school.id, "test", None, "No address", "Body")
    db.session.commit()
    assert outbox.deliver() == 1
    assert outbox.deliver() == 0  # nothing sent twice
    (message,) = smtp_inbox.messages
    assert message.rcpt_tos == ["a@example.org"] and b"Subject: Line one Bcc: evil@example.org" in message.content
    assert statuses() == [MailStatus.SENT, MailStatus.NO_ADDRESS]


def test_a_mail_that_breaks_the_sender_does_not_stop_or_repeat_the_others(school, smtp_inbox, monkeypatch):
    import schoolpeers.outbox as module

    for n in range(3):
        outbox.queue(school.id, "test", f"p{n}@example.org", f"Mail {n}", "Body")
    db.session.commit()
    real = module.send_mail

    def breaks_on_the_second(config, recipients, subject, body, **attachments):
        if subject == "Mail 1":
            raise ValueError("a header the library refuses")
        return real(config, recipients, subject, body, **attachments)

    monkeypatch.setattr(module, "send_mail", breaks_on_the_second)
    assert outbox.deliver() == 2
    assert statuses() == [MailStatus.SENT, MailStatus.FAILED, MailStatus.SENT]
    assert outbox.deliver() == 0  # the failed one waits before it is tried again
    db.session.execute(update(OutboxMail).values(last_attempt_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    monkeypatch.setattr(module, "send_mail", real)
    assert outbox.deliver() == 1 and len(smtp_inbox.messages) == 3


def test_a_mail_claimed_by_another_sender_is_left_to_it(school, smtp_inbox):
    mail = outbox.queue(school.id, "test", "a@example.org", "Hello", "Body")
    mail.status, mail.last_attempt_at = MailStatus.SENDING, utcnow()
    db.session.commit()
    assert outbox.deliver() == 0
    mail.last_attempt_at = utcnow() - timedelta(minutes=16)  # that sender stopped half way
    db.session.commit()
    assert outbox.deliver() == 1


def test_without_a_mail_server_everything_waits(school, app):
    outbox.queue(school.id, "test", "a@example.org", "Hello", "Body")
    db.session.commit()
    assert app.config.get("MAIL_SERVER") is None and outbox.deliver() == 0
    assert statuses() == [MailStatus.PENDING]
