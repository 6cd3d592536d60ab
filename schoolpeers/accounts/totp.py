"""Time-based one-time codes (RFC 6238) and recovery codes; no Flask, no database.

A code is accepted for the current 30-second step and one step either side (clocks drift), and
only for a step later than the last one accepted, so a code seen over a shoulder cannot be used
again. Recovery codes are long random strings; only their SHA-256 is stored, which is enough
for 80 random bits (nobody can try 2^80 guesses).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
_RECOVERY_LENGTH = 16  # 31^16 > 2^79


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """What the QR code holds: authenticator apps read account and issuer from it."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def grouped(secret: str) -> list[str]:
    """The secret in groups of four, for typing it in by hand."""
    return [secret[i:i + 4] for i in range(0, len(secret), 4)]


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def accepted_step(secret: str, code: str, last_step: int | None, now: datetime) -> int | None:
    """The step this code belongs to, if it is valid now and newer than `last_step`; else None."""
    code = normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    codes = ("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH)) for _ in range(count))
    return [f"{c[:4]}-{c[4:8]}-{c[8:12]}-{c[12:]}" for c in codes]


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    return len(normalise(code)) == _RECOVERY_LENGTH
