"""What a username may be: letters (of any script, as school information systems export them),
digits, dots, dashes and underscores. Never an `@`, so that no username can look like (and shadow
at sign-in) another person's email, and no space or sign a person could not type back."""
from __future__ import annotations

import re

USERNAME_CHARACTERS = re.compile(r"[\w.-]+\Z")  # \w: letters and digits of any script, and _
RULE = "a username may hold only letters, digits, dots, dashes and underscores (no @ or spaces)"


def username_problem(username: str) -> str | None:
    """Why this (lower-cased) username cannot be used, or None."""
    return None if USERNAME_CHARACTERS.match(username) else f"{username!r}: {RULE}"
