"""The home page's steps ask each side's questions only of a student on that side."""
from __future__ import annotations

from datetime import date

import pytest

from schoolpeers.programme import agreements, closure, outcomes, steps


def refuse(*_args, **_kwargs):
    raise AssertionError("asked of a student who is not on that side")


def test_a_mentee_is_not_asked_a_mentor_s_steps(mentorship, monkeypatch):
    monkeypatch.setattr(closure, "mentor_endings", refuse)
    steps.steps_for(mentorship.mentee, date.today())  # a mentor's endings would have been looked up


def test_a_mentor_is_not_asked_a_mentee_s_steps(mentorship, monkeypatch):
    for module, name in ((closure, "mentee_closure"), (outcomes, "questionnaire_prompts")):
        monkeypatch.setattr(module, name, refuse)
    assert "goals.agreement" in {p.endpoint for p in steps.steps_for(mentorship.mentor, date.today())}


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_either_side_alone_gives_the_same_steps_as_asking_both(mentorship, side):
    student = getattr(mentorship, side)
    both = [*agreements.prompts_for(student, date.today()), *closure.closing_prompts(student, date.today())]
    sides = {"as_mentor": side == "mentor", "as_mentee": side == "mentee"}
    assert [*agreements.prompts_for(student, date.today(), **sides),
            *closure.closing_prompts(student, date.today(), **sides)] == both
