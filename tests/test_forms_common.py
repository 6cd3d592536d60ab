"""Shared form pieces."""
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import InputRequired, NumberRange

from schoolpeers.forms_common import IntegerField


class NumberForm(Form):
    number = IntegerField(validators=[InputRequired(), NumberRange(1, 100)])


def test_integer_field_refuses_numbers_too_long_to_compare():
    # WTForms' NumberRange converts to float and raised OverflowError on a 400-digit number.
    form = NumberForm(MultiDict({"number": "1" * 400}))
    assert not form.validate() and form.number.data is None


def test_integer_field_still_reads_ordinary_numbers():
    form = NumberForm(MultiDict({"number": " 42 "}))
    assert form.validate() and form.number.data == 42
    assert not NumberForm(MultiDict({"number": "101"})).validate()


def test_people_are_told_apart_by_grade_and_then_username():
    from types import SimpleNamespace

    from schoolpeers.forms_common import people_choices

    people = [SimpleNamespace(id=n, display_name=name, grade=grade, username=f"s{n}")
              for n, (name, grade) in enumerate((("Ana Ruiz", 7), ("Ana Ruiz", 7), ("Ana Ruiz", 8), ("Ben Li", 7)))]
    assert [c.label for c in people_choices(people)] == [
        "Ana Ruiz (grade 7, s0)", "Ana Ruiz (grade 7, s1)", "Ana Ruiz (grade 8)", "Ben Li (grade 7)"]
