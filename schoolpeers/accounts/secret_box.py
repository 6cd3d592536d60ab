"""Secrets kept encrypted at rest (authenticator secrets): Fernet from the `cryptography` library,
with key rotation. No Flask, no database.

Keys come from the environment (SCHOOLPEERS_TOTP_KEYS, comma-separated): the first encrypts, every
one decrypts, so a new key is put first, `flask accounts reseal-secrets` re-encrypts everything with
it, and the old key is then dropped. A value stored before encryption (a plain base32 secret) still
reads, and the reseal command encrypts it.
"""
from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80, then a timestamp)


class SecretKeyError(RuntimeError):
    """No key, or the stored value was sealed with a key that is no longer given."""


def _box(keys: Sequence[str]) -> MultiFernet:
    if not keys:
        raise SecretKeyError("No encryption key for secrets (SCHOOLPEERS_TOTP_KEYS).")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def seal(plain: str, keys: Sequence[str]) -> str:
    return _box(keys).encrypt(plain.encode()).decode()


def open_sealed(stored: str, keys: Sequence[str]) -> str:
    if not is_sealed(stored):
        return stored  # kept from before encryption; `reseal` encrypts it
    try:
        return _box(keys).decrypt(stored.encode()).decode()
    except InvalidToken:
        raise SecretKeyError("A secret was sealed with a key that is no longer configured.") from None


def reseal(stored: str, keys: Sequence[str]) -> str:
    """The value sealed with the first key (from plain text, or from any configured key)."""
    return _box(keys).rotate(stored.encode()).decode() if is_sealed(stored) else seal(stored, keys)


def is_sealed(stored: str) -> bool:
    return stored.startswith(TOKEN_PREFIX)


def new_key() -> str:
    return Fernet.generate_key().decode()
