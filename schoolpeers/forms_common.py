"""Form pieces shared by features."""
from __future__ import annotations

import wtforms
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget


class IntegerField(wtforms.IntegerField):
    """WTForms' IntegerField, refusing numbers of more than 18 digits: NumberRange compares through
    float and breaks on bigger ones, and no column holds more than 64 bits anyway."""

    MAX_DIGITS = 18

    def process_formdata(self, valuelist):
        if valuelist and len(str(valuelist[0]).strip().lstrip("+-")) > self.MAX_DIGITS:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes: easier on a phone than a multi-select list."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def people_choices(people) -> list[SelectChoice]:
    """Students as choices, each by name and grade; where two share both, their username tells them
    apart (a school of 400 has its namesakes)."""
    labels = [f"{p.display_name} (grade {p.grade})" for p in people]
    repeated = {label for label in labels if labels.count(label) > 1}
    return choices((p.id, f"{label[:-1]}, {p.username})" if label in repeated and p.username else label)
                   for p, label in zip(people, labels, strict=True))


def catalogue_choices(items) -> list[SelectChoice]:
    return choices((item.id, item.name) for item in items)


def pick(items, ids) -> list:
    """The items whose ids were chosen; unknown ids were already refused by the field."""
    wanted = set(ids or ())
    return [item for item in items if item.id in wanted]


class ConfirmForm(FlaskForm):
    """A button that only needs CSRF protection."""

    submit = SubmitField("Confirm")
