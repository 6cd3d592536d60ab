"""What the programme asks of a student now (as a mentee or as a mentor), for their home page:
each part of the cycle adds the steps waiting for them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from schoolpeers.accounts.models import User


@dataclass(frozen=True)
class Prompt:
    """One step waiting for the student: a sentence, and the page where they take it."""

    text: str
    endpoint: str
    values: dict = field(default_factory=dict)


def prompts_for(student: User, today: date) -> list[Prompt]:
    """Every step the programme is waiting for from this student, most pressing part first."""
    return []
