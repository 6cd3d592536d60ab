"""What the programme asks of a student now (as a mentee or as a mentor), for their home page:
each part of the cycle adds the steps waiting for them."""
from __future__ import annotations

from datetime import date

from schoolpeers.accounts.models import User
from schoolpeers.programme import agreements, certificates, closure, outcomes
from schoolpeers.programme.prompts import Prompt


def steps_for(student: User, today: date) -> list[Prompt]:
    """Every step the programme is waiting for from this student, most pressing part first."""
    return [*agreements.prompts_for(student, today), *closure.closing_prompts(student, today),
            *outcomes.questionnaire_prompts(student, today), *certificates.certificate_prompts(student, today)]
