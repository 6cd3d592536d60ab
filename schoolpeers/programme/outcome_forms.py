"""The well-being questionnaire's form: one question per item of the scale, its answers as radio
rows (a phone shows them one under another)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SubmitField
from wtforms.validators import InputRequired

from schoolpeers.forms_common import choices
from schoolpeers.programme.scales import Scale

PICK_ONE = "Choose the words closest to how it has been."


class _QuestionnaireForm(FlaskForm):
    mentorship = HiddenField()
    occasion = HiddenField()
    submit = SubmitField("Send my answers")

    def mentorship_id(self) -> int | None:
        """The mentorship the page asked about, or None when the field is not a plain whole number."""
        text = (self.mentorship.data or "").strip()
        if not (text.isascii() and text.isdecimal()) or len(text) > 18:  # within a database integer
            return None
        return int(text)

    def item_fields(self) -> list[RadioField]:
        return [self[name] for name in self.item_names]

    def answers(self) -> list[str]:
        return [field.data for field in self.item_fields()]


def questionnaire_form(scale: Scale, **kwargs) -> _QuestionnaireForm:
    """The form of `scale`: fields item_1, item_2, ... in the scale's order."""
    names = [f"item_{n}" for n in range(1, len(scale.items) + 1)]
    fields = {name: RadioField(text, choices=choices((str(v), label) for v, label in scale.options),
                               validators=[InputRequired(PICK_ONE)])
              for name, text in zip(names, scale.items, strict=True)}
    form_class = type(f"{scale.key.capitalize()}Form", (_QuestionnaireForm,), {**fields, "item_names": names})
    return form_class(**kwargs)
