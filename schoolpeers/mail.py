"""Mail through SMTP, when the installation configures it: counselors' alerts, admins' summaries,
families' consent requests and news.

Mail is sent after the database commit, so it never announces something that was not saved
(`outbox` keeps what a change writes until then). It never carries notes, ratings or concerns:
staff get counts and a link to sign in and look; families and mentors a child's first name.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Mapping
from email.message import EmailMessage

log = logging.getLogger(__name__)


def send_mail(config: Mapping, recipients: Iterable[str], subject: str, body: str, *,
              calendar: str | None = None) -> bool:
    """True when the SMTP server accepted the message; False when mail is off or failed (logged).
    `calendar`: an iCalendar invitation, attached as invite.ics (calendar apps offer to add it)."""
    recipients = sorted({r for r in recipients if r})
    if not config.get("MAIL_SERVER") or not recipients:
        return False
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["MAIL_SENDER"], ", ".join(recipients), subject
    message.set_content(body)
    if calendar:
        method = "CANCEL" if "METHOD:CANCEL" in calendar else "REQUEST"
        message.add_attachment(calendar.encode(), maintype="text", subtype="calendar", filename="invite.ics",
                               params={"method": method})
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send mail to %d recipients", len(recipients))
        return False
    return True
