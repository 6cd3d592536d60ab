"""Two-factor sign-in: enrolment, checking a code, recovery codes. Callers commit.

The secret is sealed at rest (`secret_box`, keys from SCHOOLPEERS_TOTP_KEYS). It is saved when
enrolment starts (so reloading the page shows the same QR code) and is in force only once a first
code confirms it (`totp_enabled_at`).
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from schoolpeers.accounts import secret_box, totp
from schoolpeers.accounts.models import RecoveryCode, User
from schoolpeers.accounts.services import AccountError
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow

WRONG_CODE = "That code is not right. Check the time on your phone and type the newest code."


def is_enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None


def pending_secret(user: User) -> str:
    """The secret to show on the enrolment page; a new one unless enrolment already began."""
    if is_enrolled(user):
        raise AccountError("Two-factor sign-in is already on.")
    if not user.totp_secret:
        user.totp_secret = secret_box.seal(totp.new_secret(), _keys())
        db.session.flush()
    return secret_of(user)


def secret_of(user: User) -> str:
    """The user's authenticator secret, unsealed."""
    return secret_box.open_sealed(user.totp_secret, _keys())


def _keys() -> list[str]:
    return current_app.config["TOTP_KEYS"]


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-factor sign-in on with a first code; returns the recovery codes to show once."""
    if is_enrolled(user) or not user.totp_secret:
        raise AccountError("Start setting up two-factor sign-in again.")
    step = totp.accepted_step(secret_of(user), code, None, utcnow())
    if step is None:
        raise AccountError(WRONG_CODE)
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    return replace_recovery_codes(user)


def check_code(user: User, code: str) -> str | None:
    """Which factor this code passed ("app" or "recovery code"), or None. A used code is spent."""
    if not is_enrolled(user):
        return None
    step = totp.accepted_step(secret_of(user), code, user.totp_last_step, utcnow())
    if step is not None:
        return "app" if _spend_step(user, step) else None
    if totp.looks_like_recovery_code(code):
        spent = db.session.execute(update(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
            RecoveryCode.code_hash == totp.hash_recovery_code(code)).values(used_at=utcnow())
            .execution_options(synchronize_session=False))
        if spent.rowcount == 1:
            return "recovery code"
    return None


def _spend_step(user: User, step: int) -> bool:
    """Record `step` as the last code accepted, only if no request has accepted it (or a later one)
    meanwhile: one compare-and-set in the database, so a code sent by several sessions at once passes
    once. The others wait for the row, then find the step taken."""
    changed = db.session.execute(update(User).where(
        User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
    if changed == 1:
        set_committed_value(user, "totp_last_step", step)
    return changed == 1


def replace_recovery_codes(user: User) -> list[str]:
    codes = totp.new_recovery_codes()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(school_id=user.school_id, user_id=user.id, code_hash=totp.hash_recovery_code(c))
                       for c in codes)
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def reseal_all(keys: list[str]) -> int:
    """Seal every stored secret with the first key (after a new key was put first, or to encrypt
    secrets kept from before encryption); flushes. How many were sealed again."""
    users = list(db.session.scalars(select(User).where(User.totp_secret.is_not(None))))
    for user in users:
        user.totp_secret = secret_box.reseal(user.totp_secret, keys)
    db.session.flush()
    return len(users)


def turn_off(user: User) -> None:
    """Forget the secret and the codes; every session of the user ends (the caller signs in again)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_version += 1
    db.session.flush()
