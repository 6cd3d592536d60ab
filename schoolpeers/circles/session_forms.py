"""Forms of group sessions: scheduling a circle's session, setting up a workshop, logging a held
session (a row per person, built for the session) and a member's one-tap feedback."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from schoolpeers.circles.feedback import MAX_COMMENT
from schoolpeers.circles.sessions import MAX_ABOUT, MAX_NOTES, MAX_PLACE, MAX_REASON, MAX_TITLE, MINUTES
from schoolpeers.circles.statuses import FEEDBACK_ANSWERS, HOW_IT_WENT, MOOD_WORDS, MOODS
from schoolpeers.forms_common import IntegerField, choices
from schoolpeers.timeutil import zone

MAX_TAPS = 500  # more than any session holds: the service compares the taps with who was there


def _school_zone():
    return zone(current_user.school.timezone)


def _starts_at(label: str) -> DateTimeLocalField:
    """A day and time as the school's clocks read it (the phone's own date and time picker)."""
    return DateTimeLocalField(label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                              tz=_school_zone, validators=[InputRequired("Choose the day and the time.")])


def _minutes(default: int) -> IntegerField:
    return IntegerField("How long (minutes)", default=default, validators=[
        InputRequired("Say how long, in minutes."),
        NumberRange(*MINUTES, message=f"From {MINUTES[0]} to {MINUTES[1]} minutes.")])


def in_utc(value: datetime | None) -> datetime | None:
    """The form's time in UTC, as times are stored; None for a time no clock can show (year 1 east
    of Greenwich, year 9999 west of it)."""
    try:
        return value.astimezone(timezone.utc) if value is not None else None
    except (OverflowError, ValueError):
        return None


class ScheduleForm(FlaskForm):
    plan_id = RadioField("Session plan", coerce=int, validators=[InputRequired("Choose a session plan.")])
    starts_at = _starts_at("Day and time")
    minutes = _minutes(45)
    place = StringField("Where (optional)", validators=[Optional(), Length(max=MAX_PLACE)])
    submit = SubmitField("Schedule the session")


class WorkshopForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired("Give the workshop a title."), Length(max=MAX_TITLE)])
    about = TextAreaField("What it is about, for students (optional)", validators=[Optional(), Length(max=MAX_ABOUT)])
    starts_at = _starts_at("Day and time")
    minutes = _minutes(60)
    place = StringField("Where (optional)", validators=[Optional(), Length(max=MAX_PLACE)])
    grade_min = IntegerField("From grade", validators=[InputRequired("Say the first grade it is open to.")])
    grade_max = IntegerField("To grade", validators=[InputRequired("Say the last grade it is open to.")])
    capacity = IntegerField("Places", default=30, validators=[InputRequired("Say how many places it has.")])
    submit = SubmitField("Set up the workshop")


class LogForm(FlaskForm):
    how_it_went = RadioField("How did it go?", choices=choices(HOW_IT_WENT.items()),
                             validators=[InputRequired("Say how it went.")])
    notes = TextAreaField("Notes for the counselor", validators=[Optional(), Length(max=MAX_NOTES)])
    submit = SubmitField("Save the log")


def present_field(student_id: int) -> str:
    return f"present_{student_id}"


def worried_field(student_id: int) -> str:
    return f"worried_{student_id}"


def reason_field(student_id: int) -> str:
    return f"reason_{student_id}"


def mood_field(mood: int) -> str:
    return f"mood_{mood}"


def log_form(people) -> LogForm:
    """The log form with a row for each person who may take part (a present tick, a worried tick and a
    few words) and a count for each face of the mood round."""

    class ForSession(LogForm):
        pass

    for person in people:
        setattr(ForSession, present_field(person.id), BooleanField(f"{person.display_name} came"))
        setattr(ForSession, worried_field(person.id), BooleanField(f"I'm worried about {person.given_name}"))
        setattr(ForSession, reason_field(person.id), StringField(
            "Why, in a few words (optional)", validators=[Optional(), Length(max=MAX_REASON)]))
    for mood in MOODS:
        setattr(ForSession, mood_field(mood), IntegerField(
            f"{MOODS[mood]} {MOOD_WORDS[mood]}", default=0,
            validators=[Optional(), NumberRange(0, MAX_TAPS, f"How many tapped this face: from 0 to {MAX_TAPS}.")]))
    return ForSession()


class FeedbackForm(FlaskForm):
    # The answer comes from the button tapped: one tap sends it, with the comment written above it.
    answer = RadioField("How was the session for you?", choices=choices(FEEDBACK_ANSWERS.items()),
                        validators=[InputRequired("Tap one of the three answers.")])
    comment = TextAreaField("Anything for the counselor? (optional, sent without your name)",
                            validators=[Optional(), Length(max=MAX_COMMENT)])
