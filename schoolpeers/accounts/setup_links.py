"""One-time setup links: signed, expiring, single use.

The token signs the user's id and a random nonce stored on the user. Using the link clears the
nonce, and sending a new link replaces it, so every older link stops working.

A setup letter also prints a short code, for a student without a phone to scan the link: ten
characters from an alphabet without look-alikes (about 49 bits), typed at /setup/code. Only its hash
is stored; it leads to the same one-time link, and guesses are rate-limited like sign-ins.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "schoolpeers.setup-link"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read from paper without doubt
CODE_LENGTH = 10


class SetupLinkError(Exception):
    """The link cannot be used; the message says why, for the person holding it."""


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def make_token(secret_key: str, user_id: int, nonce: str) -> str:
    return _serializer(secret_key).dumps({"u": user_id, "n": nonce})


def read_token(secret_key: str, token: str, max_age: timedelta) -> tuple[int, str]:
    """The (user id, nonce) a token carries, or SetupLinkError."""
    try:
        data = _serializer(secret_key).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise SetupLinkError("This setup link has expired. Ask your school for a new one.") from exc
    except BadSignature as exc:
        raise SetupLinkError("This setup link is not valid. Check that you copied all of it.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("n"), str):
        raise SetupLinkError("This setup link is not valid. Check that you copied all of it.")
    return data["u"], data["n"]


def new_short_code() -> str:
    """A code as printed: two groups of five, e.g. "KQ7MX-4PATR"."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def short_code_hash(text: str) -> str | None:
    """The stored form of a code as a person typed it (any case, spaces or dashes), or None when it
    cannot be a code at all."""
    code = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return hashlib.sha256(code.encode()).hexdigest()
