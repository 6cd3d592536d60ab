"""Forms of a mentorship's ending: the goodbye message and each side's exit survey (the closing
meeting uses the check-in form of `mentors.forms`)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from schoolpeers.forms_common import MultiCheckboxField, choices
from schoolpeers.programme.closure_rules import MAX_GOODBYE, SurveyAnswers
from schoolpeers.programme.models import RECOMMEND, WHAT_HELPED

GOT_ON = [("1", "1 · not well"), ("2", "2 · not so well"), ("3", "3 · okay"), ("4", "4 · well"),
          ("5", "5 · really well")]
HELPED = [("1", "1 · not at all"), ("2", "2 · a little"), ("3", "3 · some"), ("4", "4 · a lot"),
          ("5", "5 · very much")]
PICK_ONE = "Choose one of the answers."


class GoodbyeForm(FlaskForm):
    message = TextAreaField("Your goodbye message", render_kw={"maxlength": MAX_GOODBYE, "rows": 6})
    submit = SubmitField("Send my goodbye")


class _SurveyForm(FlaskForm):
    what_helped = MultiCheckboxField("What helped? (tick any)", choices=choices(WHAT_HELPED.items()))
    comment = TextAreaField("Anything else you want to say? (optional)", validators=[Optional()])
    submit = SubmitField("Send my answers")

    def answers(self) -> SurveyAnswers:
        return SurveyAnswers(got_on=int(self.got_on.data), helped=int(self.helped.data),
                             recommend=self.recommend.data, what_helped=tuple(self.what_helped.data or ()),
                             comment=self.comment.data or "")


class MentorSurveyForm(_SurveyForm):
    got_on = RadioField("How did you and your mentee get on?", choices=choices(GOT_ON),
                        validators=[InputRequired(PICK_ONE)])
    helped = RadioField("How much do you think it helped them?", choices=choices(HELPED),
                        validators=[InputRequired(PICK_ONE)])
    recommend = RadioField("Would you mentor again?", choices=choices(RECOMMEND.items()),
                           validators=[InputRequired(PICK_ONE)])


class MenteeSurveyForm(_SurveyForm):
    got_on = RadioField("How did you and your mentor get on?", choices=choices(GOT_ON),
                        validators=[InputRequired(PICK_ONE)])
    helped = RadioField("How much did it help?", choices=choices(HELPED), validators=[InputRequired(PICK_ONE)])
    recommend = RadioField("Would you tell a friend to ask for a mentor?", choices=choices(RECOMMEND.items()),
                           validators=[InputRequired(PICK_ONE)])
