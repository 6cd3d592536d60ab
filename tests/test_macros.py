"""The form macros write radio buttons, checkboxes and selects themselves, for speed: their markup
must stay exactly what WTForms' widgets write, for every choice field of every form of the app."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField

import schoolpeers
from schoolpeers.forms_common import MultiCheckboxField, choices

EXTRA_CHOICES = choices([(1, "one"), (2, 'two & "<three>"')])


def all_forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(schoolpeers.__path__, "schoolpeers."):
        if module.name.rsplit(".", 1)[-1].endswith("forms") or module.name.endswith("forms_common"):
            importlib.import_module(module.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        form = todo.pop()
        found.append(form)
        todo += form.__subclasses__()
    return [form for form in found if form.__module__.startswith("schoolpeers.")]


def choice_fields(form: FlaskForm):
    for field in form:
        if isinstance(field, (RadioField, SelectField, SelectMultipleField)):
            if not field.choices:
                field.choices = EXTRA_CHOICES
            yield field


def with_each_selection(field):
    """The field with nothing chosen, then with its last choice chosen."""
    yield field
    value = field.coerce(list(field.iter_choices())[-1].value)
    field.data = [value] if isinstance(field, SelectMultipleField) else value
    yield field


FORMS = all_forms()


def test_every_form_of_the_app_is_covered():
    names = {form.__name__ for form in FORMS}
    assert {"CheckInForm", "MentorApplicationForm", "FeedbackForm"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__name__)
def test_choice_markup_is_what_wtforms_writes(app, form_class):
    with app.test_request_context():
        macros = app.jinja_env.get_template("macros.html").module
        form = form_class(meta={"csrf": False})
        for field in choice_fields(form):
            for shown in with_each_selection(field):
                if isinstance(shown, (RadioField, MultiCheckboxField)):
                    assert str(macros.choice_list(shown)) == str(shown())
                elif type(shown) is SelectField:
                    assert str(macros.select(shown, "other-id", "x-hint x-error", True)) == str(shown(**{
                        "id": "other-id", "aria-describedby": "x-hint x-error", "aria-invalid": "true"}))
                    assert str(macros.select(shown, shown.id, "", False)) == str(shown(**{
                        "id": shown.id, "aria-describedby": False, "aria-invalid": False}))


def test_the_checkin_form_marks_its_required_and_chosen_choices(app):
    from schoolpeers.mentors.forms import CheckInForm

    with app.test_request_context():
        macros = app.jinja_env.get_template("macros.html").module
        form = CheckInForm(meta={"csrf": False})
        form.topics.choices, form.topics.data, form.wellbeing.data = EXTRA_CHOICES, [2], "3"
        wellbeing, topics = str(macros.choice_list(form.wellbeing)), str(macros.choice_list(form.topics))
    assert '<input checked id="wellbeing-2" name="wellbeing" required type="radio" value="3">' in wellbeing
    assert '<label for="wellbeing-0">😢 Very low</label>' in wellbeing
    assert ('<input checked id="topics-1" name="topics" type="checkbox" value="2"> '
            '<label for="topics-1">two &amp; &#34;&lt;three&gt;&#34;</label>') in topics
