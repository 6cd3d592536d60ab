"""Forms for mentor applications, training and profile decisions."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from schoolpeers.forms_common import IntegerField, MultiCheckboxField, choices
from schoolpeers.mentors.models import AVAILABILITY_SLOTS, CHECKIN_MODES, FEEDBACK_CHOICES
from schoolpeers.mentors.services import MAX_CAPACITY
from schoolpeers.severity import Severity


class MentorApplicationForm(FlaskForm):
    bio = TextAreaField("A few words about you for your future mentee",
                        validators=[DataRequired(), Length(max=500)])
    motivation = TextAreaField("Why would you like to be a peer mentor? (only counselors see this)",
                               validators=[DataRequired(), Length(max=1000)])
    capacity = IntegerField("How many mentees could you support at once?", default=2,
                            validators=[InputRequired(), NumberRange(1, MAX_CAPACITY)])
    topics = MultiCheckboxField("Things you would be happy to help with", coerce=int)
    availability = MultiCheckboxField("When you could meet", choices=choices(AVAILABILITY_SLOTS.items()))
    submit = SubmitField("Send my application")


class TrainingForm(FlaskForm):
    modules = MultiCheckboxField("Completed modules", coerce=int)
    completed_on = DateField("Completed on", validators=[DataRequired()])
    submit = SubmitField("Record training")


class CertifyForm(FlaskForm):
    valid_until = DateField("Valid until (empty: end of this school year)", validators=[Optional()])
    submit = SubmitField("Certify")


class DecisionForm(FlaskForm):
    decision = SelectField("Decision", choices=choices([("accept", "Accept"), ("decline", "Decline")]),
                           validators=[InputRequired()])
    submit = SubmitField("Save decision")


WELLBEING_FACES = [("1", "😢 Very low"), ("2", "🙁 Low"), ("3", "😐 Okay"), ("4", "🙂 Good"), ("5", "😄 Great")]
DOMAIN_CHOICES = [("", "—"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5")]


class CheckInForm(FlaskForm):
    occurred_on = DateField("When did you meet?", validators=[DataRequired()])
    duration_minutes = IntegerField("How long (minutes)?", default=20,
                                    validators=[InputRequired(), NumberRange(5, 180, "Between 5 and 180 minutes.")])
    mode = RadioField("How did you meet?", choices=choices(CHECKIN_MODES.items()), default="in_person",
                      validators=[InputRequired()])
    wellbeing = RadioField("How is your mentee feeling? (ask them)", choices=choices(WELLBEING_FACES),
                           validators=[InputRequired("Choose one of the five faces.")])
    school_work = SelectField("School work", choices=choices(DOMAIN_CHOICES), validators=[Optional()])
    friendships = SelectField("Friendships", choices=choices(DOMAIN_CHOICES), validators=[Optional()])
    home = SelectField("Home", choices=choices(DOMAIN_CHOICES), validators=[Optional()])
    sleep_energy = SelectField("Sleep and energy", choices=choices(DOMAIN_CHOICES), validators=[Optional()])
    topics = MultiCheckboxField("What did you talk about?", coerce=int)
    notes = TextAreaField("Private notes (only you and the counselors can read them)",
                          validators=[Optional(), Length(max=4000)])
    worried = BooleanField("I am worried about my mentee")
    worry_severity = RadioField("How worried?", choices=choices([
        (Severity.MEDIUM.value, "A bit: a counselor should know"),
        (Severity.HIGH.value, "Very: they may not be safe")]), validators=[Optional()])
    worry_reason = TextAreaField("What worries you?", validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Save check-in")


class FeedbackForm(FlaskForm):
    rating = RadioField("How is it going with your mentor?", choices=choices(FEEDBACK_CHOICES.items()),
                        validators=[InputRequired("Choose one of the answers.")])
    comment = TextAreaField("Anything you want to add? (only counselors see it)",
                            validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Send")


# A student answers about themselves, on a phone: words beside the numbers.
SELF_DOMAIN_CHOICES = [("", "Skip"), ("1", "1 · really hard"), ("2", "2 · hard"), ("3", "3 · okay"),
                       ("4", "4 · good"), ("5", "5 · great")]


class SelfCheckInForm(FlaskForm):
    wellbeing = RadioField("How are you feeling today?", choices=choices(WELLBEING_FACES),
                           validators=[InputRequired("Choose one of the five faces.")])
    school_work = SelectField("School work", choices=choices(SELF_DOMAIN_CHOICES), validators=[Optional()])
    friendships = SelectField("Friendships", choices=choices(SELF_DOMAIN_CHOICES), validators=[Optional()])
    home = SelectField("Home", choices=choices(SELF_DOMAIN_CHOICES), validators=[Optional()])
    sleep_energy = SelectField("Sleep and energy", choices=choices(SELF_DOMAIN_CHOICES), validators=[Optional()])
    note = TextAreaField("Anything you want to say? (only the school counselors read this, not your mentor)",
                         validators=[Optional(), Length(max=2000)])
    wants_counselor = BooleanField("I want to talk to a counselor")
    submit = SubmitField("Send")
