"""A step the programme waits for from a student, as their home page lists it (see `steps`)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Prompt:
    """One step waiting for the student: a sentence, and the page where they take it."""

    text: str
    endpoint: str
    values: dict = field(default_factory=dict)
