"""Password rules and hashing (Werkzeug's scrypt)."""
from __future__ import annotations

import gzip
from functools import cache
from importlib.resources import files

from werkzeug.security import check_password_hash, generate_password_hash

from schoolpeers.accounts.models import ADULT_ROLES

MIN_LENGTH_STUDENT = 8
MIN_LENGTH_ADULT = 12
MAX_LENGTH = 256  # hashing megabytes of "password" would be a cheap denial of service


@cache
def _dummy_hash() -> str:
    """Compared against when the account does not exist, so that both failures cost the same time
    (made at the first sign-in, not when every command starts)."""
    return generate_password_hash("not a real password, only spends the time")


@cache
def common_passwords() -> frozenset[str]:
    data = files("schoolpeers.accounts").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def min_length_for(role: str) -> int:
    return MIN_LENGTH_ADULT if role in ADULT_ROLES else MIN_LENGTH_STUDENT


def password_problem(password: str, role: str, *, personal: tuple[str, ...] = ()) -> str | None:
    """Why this password is refused, in words for the person choosing it; None if fine."""
    minimum = min_length_for(role)
    if len(password) < minimum:
        return f"Use at least {minimum} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in common_passwords():
        return "That password is one of the most common ones; attackers try it first. Choose another."
    if any(part and len(part) >= 3 and part.lower() in lowered for part in personal):
        return "Do not use your name or username in your password."
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash or len(password) > MAX_LENGTH:
        check_password_hash(_dummy_hash(), password[:MAX_LENGTH])
        return False
    return check_password_hash(password_hash, password)
