"""One-time setup links: signed, expiring, single use.

The token signs the user's id and a random nonce stored on the user. Using the link clears the
nonce, and sending a new link replaces it, so every older link stops working.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "schoolpeers.setup-link"


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
