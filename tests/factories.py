"""Test data: users with sensible defaults, unique within a test."""
from __future__ import annotations

import itertools

from schoolpeers.accounts import services
from schoolpeers.accounts.models import School, User

PASSWORD = "correct horse battery staple"  # long enough for every role
_counter = itertools.count(1)


class UserFactory:
    def __init__(self, school: School):
        self.school = school

    def __call__(self, role: str = "student", *, password: str | None = None, **overrides) -> User:
        n = next(_counter)
        values = {
            "given_name": f"Given{n}",
            "family_name": f"Family{n}",
            "username": f"{role}{n}",
            "email": f"{role}{n}@example.org",
            "grade": 8 if role == "student" else None,
        }
        values.update(overrides)
        return services.create_user(self.school, role=role, password=password, **values)
