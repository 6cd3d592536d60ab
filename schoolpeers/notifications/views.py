"""Meetings a mentor arranges, and each person's choice of how to be reminded."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.forms_common import ConfirmForm, choices
from schoolpeers.mentors.models import Mentorship
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.notifications import meetings
from schoolpeers.notifications.forms import MeetingForm, ReminderForm
from schoolpeers.notifications.models import Meeting
from schoolpeers.outbox import deliver_soon
from schoolpeers.timeutil import utcnow
from schoolpeers.web import audit, change, show_refusal

bp = Blueprint("notifications", __name__, template_folder="templates")


def _own_active(mentorship_id: int) -> Mentorship:
    """An active mentorship of the signed-in mentor; anyone else's, or an ended one, answers 404."""
    mentorship = get_in_school_or_404(Mentorship, mentorship_id, joinedload(Mentorship.mentee))
    if mentorship.mentor_id != current_user.id or mentorship.status != MentorshipStatus.ACTIVE:
        abort(404)
    return mentorship


@bp.route("/mentor/mentorships/<int:mentorship_id>/meeting", methods=["GET", "POST"])
@role_required("student")
def arrange(mentorship_id: int):
    mentorship, now = _own_active(mentorship_id), utcnow()
    times = meetings.options(mentorship, now)
    form = MeetingForm()
    form.starts_at.choices = choices([(t.astimezone(timezone.utc).isoformat(), t.strftime("%A %d %B, %H:%M"))
                                      for t in times])
    if form.validate_on_submit():
        with change(meetings.MeetingError, flash_refusal=False) as outcome:
            meeting, mail_ids = meetings.propose(mentorship, current_user, datetime.fromisoformat(form.starts_at.data),
                                                 form.minutes.data, form.place.data or "", now)
            audit("meeting.propose", record_type="meeting", record_id=meeting.id)
            outcome.success = f"Invitation sent to {mentorship.mentee.given_name}."
        if not outcome.refused:
            deliver_soon(mail_ids)
            return redirect(url_for("mentors.my_mentees"))
        show_refusal(form, outcome.refusal)
    return render_template("notifications/arrange.html", form=form, mentorship=mentorship,
                           current=meetings.next_meeting(mentorship, now), confirm=ConfirmForm())


@bp.post("/mentor/meetings/<int:meeting_id>/cancel")
@role_required("student")
def cancel(meeting_id: int):
    meeting = get_in_school_or_404(Meeting, meeting_id)
    _own_active(meeting.mentorship_id)
    if ConfirmForm().validate_on_submit():
        with change(meetings.MeetingError) as outcome:
            mail_ids = meetings.cancel(meeting, current_user, utcnow())
            audit("meeting.cancel", record_type="meeting", record_id=meeting.id)
            outcome.success = "Meeting cancelled; both of you have been told."
        if not outcome.refused:
            deliver_soon(mail_ids)
    return redirect(url_for("mentors.my_mentees"))


@bp.route("/me/reminders", methods=["GET", "POST"])
@role_required("student", "counselor", "staff", "admin")
def reminders():
    form = ReminderForm()
    if not form.is_submitted():
        form.channel.data = "mail" if current_user.reminders_by_mail else "none"
    if form.validate_on_submit():
        with change() as outcome:
            current_user.reminders_by_mail = form.channel.data == "mail"
            audit("reminders.choose", detail={"channel": form.channel.data})
            outcome.success = "Saved."
        return redirect(url_for("notifications.reminders"))
    return render_template("notifications/reminders.html", form=form)
