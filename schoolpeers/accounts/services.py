"""Account operations: plain functions that change models and flush; the caller commits."""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from anyascii import anyascii
from sqlalchemy import or_, select

from schoolpeers.accounts import passwords, setup_links, throttles
from schoolpeers.accounts.models import (
    DEFAULT_INTERESTS,
    DEFAULT_TOPICS,
    DISTRICT_ROLES,
    ROLES,
    Interest,
    School,
    Topic,
    User,
    UserInterest,
)
from schoolpeers.accounts.signals import user_deactivated
from schoolpeers.accounts.sso_models import SignInProvider
from schoolpeers.accounts.usernames import username_problem
from schoolpeers.batches import rows_where_in
from schoolpeers.extensions import db
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import as_utc, utcnow


class AccountError(ValueError):
    """A request that cannot be done; the message is for the person who asked."""


# --- schools -----------------------------------------------------------------------------------

def create_school(name: str, slug: str, **settings) -> School:
    school = School(name=name, slug=slug, **settings)
    db.session.add(school)
    db.session.flush()
    db.session.add_all(Interest(school_id=school.id, name=n) for n in DEFAULT_INTERESTS)
    db.session.add_all(Topic(school_id=school.id, name=n) for n in DEFAULT_TOPICS)
    db.session.flush()
    return school


# A school's columns that are not settings: who it is, where it belongs, and what the app keeps itself.
_NOT_SETTINGS = frozenset({"id", "slug", "created_at", "kind", "district_id", "archived_at", "topics_version",
                           "checkins_deleted"})


def update_school_settings(school: School, **settings) -> School:
    """Save a school's settings; a district's school may tighten the district's floors, never loosen
    them (FieldRefusal next to the field)."""
    for name in settings:
        if not hasattr(School, name) or name in _NOT_SETTINGS:
            raise AccountError(f"Unknown setting: {name}")
    _refuse_below_floors(school, settings)
    for name, value in settings.items():
        setattr(school, name, value)
    db.session.flush()
    return school


def _refuse_below_floors(school: School, settings: dict) -> None:
    district = school.district
    k, retention = settings.get("min_group_size"), settings.get("retention_days")
    if district is not None and k is not None and k < district.min_group_size:
        floor = district.min_group_size
        raise FieldRefusal("min_group_size", f"Your district never shows groups of fewer than {floor} students: "
                                             f"choose {floor} or more.")
    if district is not None and retention is not None and retention > district.retention_days:
        raise FieldRefusal("retention_days", f"Your district keeps notes at most {district.retention_days} days: "
                                             f"choose {district.retention_days} or fewer.")
    if district is not None and district.two_factor_all_adults and settings.get("two_factor_all_adults") is False:
        raise FieldRefusal("two_factor_all_adults", "Your district asks every adult for two-factor sign-in.")
    if settings.get("password_sign_in") is False and school.password_sign_in and not _single_sign_on(school):
        raise FieldRefusal("password_sign_in", "Nobody could sign in: your district has no single sign-on "
                                               "provider switched on. Keep password sign-in until it has one.")


def _single_sign_on(school: School) -> bool:
    return school.district_id is not None and db.session.scalar(select(SignInProvider.id).where(
        SignInProvider.district_id == school.district_id, SignInProvider.enabled.is_(True)).limit(1)) is not None


def org_id_taken(school: School, org_id: str | None) -> bool:
    """Another school of the installation has this OneRoster org id (each org maps to one school)."""
    return org_id is not None and db.session.scalar(
        select(School.id).where(School.roster_org_id == org_id, School.id != school.id)) is not None


def list_interests(school_id: int) -> list[Interest]:
    return list(db.session.scalars(
        select(Interest).where(Interest.school_id == school_id).order_by(Interest.name)
    ))


# --- users -------------------------------------------------------------------------------------

def normalise_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    return email or None


def username_taken(username: str, *, except_user_id: int | None = None) -> bool:
    query = select(User.id).where(User.username == username.lower())
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.scalar(query) is not None


def email_taken(email: str, *, except_user_id: int | None = None) -> bool:
    query = select(User.id).where(User.email == email)
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.scalar(query) is not None


def username_base(given_name: str, family_name: str) -> str:
    """`given.family` in lower-case ASCII letters, digits and dots, from any script."""
    ascii_name = anyascii(unicodedata.normalize("NFC", f"{given_name}.{family_name}"))
    base = re.sub(r"[^a-z0-9.]+", "", ascii_name.lower())
    return re.sub(r"\.{2,}", ".", base).strip(".")[:90] or "user"


def usernames_like(bases: set[str]) -> set[str]:
    """The installation's usernames that are one of `bases` or a base followed by anything (`ada.lovelace`,
    `ada.lovelace7`): what a batch of suggestions must avoid, in a few statements."""
    found = {name for (name,) in rows_where_in(select(User.username), User.username, bases)}
    clashing = sorted(found)
    for start in range(0, len(clashing), 50):  # bases are [a-z0-9.] only: nothing LIKE would read as a wildcard
        found.update(db.session.scalars(select(User.username).where(
            or_(*(User.username.like(f"{base}%") for base in clashing[start:start + 50])))))
    return found


def suggest_username(given_name: str, family_name: str, also_taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A readable, unique username such as `ada.lovelace` or `ada.lovelace2`, transliterated from any
    script (`محمد` gives `mhmd`, `李` gives `li`); not one of `also_taken` (a roster's other rows)."""
    base = username_base(given_name, family_name)
    candidate, n = base, 1
    while candidate in also_taken or username_taken(candidate):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def roles_of(school: School) -> tuple[str, ...]:
    """The roles people of this school may have: a district's office holds its admins and analysts,
    and a school everyone else."""
    return DISTRICT_ROLES if school.kind == "district_office" else ROLES


def create_user(
    school: School,
    *,
    given_name: str,
    family_name: str,
    role: str,
    username: str | None = None,
    email: str | None = None,
    grade: int | None = None,
    roster_id: str | None = None,
    password: str | None = None,
) -> User:
    if role not in roles_of(school):
        raise AccountError(f"Choose one of the roles of {school.name}.")
    email = normalise_email(email)
    username = (username or "").strip().lower() or suggest_username(given_name, family_name)
    if problem := username_problem(username):
        raise AccountError(problem[0].upper() + problem[1:] + ".")
    if username_taken(username):
        raise AccountError(f"The username {username} is already taken.")
    if email and email_taken(email):
        raise AccountError(f"The email {email} already belongs to another account.")
    user = User(
        school_id=school.id,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        role=role,
        username=username,
        email=email,
        grade=grade if role == "student" else None,
        roster_id=roster_id,
        languages=[],
    )
    if password is not None:
        user.password_hash = passwords.hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_interests(user: User, interests: list[Interest]) -> None:
    if any(i.school_id != user.school_id for i in interests):
        raise AccountError("Choose interests from your own school's list.")
    user.interest_links = [
        UserInterest(school_id=user.school_id, interest_id=i.id) for i in {i.id: i for i in interests}.values()
    ]
    db.session.flush()
    db.session.expire(user, ["interests"])


def find_user_for_login(login: str) -> User | None:
    """The account a sign-in names: by email when it holds an `@` (no username can), else by
    username; never one person's username matching another's email."""
    login = login.strip().lower()
    if not login:
        return None
    return db.session.scalar(select(User).where((User.email if "@" in login else User.username) == login))


@dataclass(frozen=True)
class SignInAttempt:
    """The outcome of a password step: the user when it passed, else how long this account (from
    this address) must wait before trying again, 0 when it need not."""

    user: User | None
    wait_seconds: int = 0
    passwords_off: bool = False  # the password was right, but the school signs in with school accounts only


def authenticate(login: str, password: str, address: str | None) -> SignInAttempt:
    """Check a password under growing delays (accounts/throttles.py); the reason for a refusal is
    never told apart.

    Failures from one address make that address wait for the account; failures from anywhere make
    the account wait, more gently, so that strangers cannot keep its owner out for long. Someone
    with two-factor sign-in passes the account's wait with the right password, since the code
    step still stands between a guesser and the account.
    """
    user = find_user_for_login(login)
    keys = throttles.password_keys(user, login, address)
    throttles.hold(keys, throttles.code_keys(user) if user else {})
    waits = throttles.waits(keys)
    if waits[throttles.PAIR]:
        return SignInAttempt(None, waits[throttles.PAIR])
    ok = passwords.verify_password(user.password_hash if user else None, password) and user.active
    if waits[throttles.ACCOUNT] and (user is None or user.totp_enabled_at is None):
        return SignInAttempt(None, waits[throttles.ACCOUNT])  # checked but not told: right and wrong look alike
    if not ok:  # counted even while the account waits: a guess never goes free
        return SignInAttempt(None, throttles.record_failure(keys))
    if not password_sign_in_allowed(user):
        return SignInAttempt(user, passwords_off=True)  # not a sign-in: nothing is stamped
    user.last_login_at = utcnow()
    return SignInAttempt(user)  # the counters are cleared when sign-in completes, after any second factor


def password_sign_in_allowed(user: User) -> bool:
    """A school may turn passwords off for its people; a district office's people keep theirs."""
    return user.school.kind == "district_office" or bool(user.school.password_sign_in)


def set_password(user: User, password: str) -> None:
    problem = passwords.password_problem(
        password, user.role, personal=(user.username, user.given_name, user.family_name)
    )
    if problem:
        raise AccountError(problem)
    user.password_hash = passwords.hash_password(password)
    user.session_version += 1  # every other session of this user ends
    db.session.flush()


ERASED = "This account was erased on request; it cannot be used again."


def refuse_if_erased(user: User) -> None:
    if user.erased_at is not None:
        raise AccountError(ERASED)


def issue_setup_link_token(user: User, secret_key: str) -> str:
    """A new one-time token for this user; any earlier link stops working."""
    refuse_if_erased(user)
    if not user.active:
        raise AccountError("Reactivate the account before sending a setup link.")
    user.setup_nonce = setup_links.new_nonce()
    user.setup_code_hash = user.setup_code_expires_at = None  # an earlier letter's code goes with its link
    db.session.flush()
    return setup_links.make_token(secret_key, user.id, user.setup_nonce)


def issue_setup_code(user: User, secret_key: str, max_age: timedelta) -> tuple[str, str]:
    """A new setup link and the short code that stands for it on a letter, valid as long as the link."""
    token = issue_setup_link_token(user, secret_key)
    code = setup_links.new_short_code()
    user.setup_code_hash = setup_links.short_code_hash(code)
    user.setup_code_expires_at = utcnow() + max_age
    db.session.flush()
    return token, code


def setup_token_for_code(text: str, secret_key: str) -> str:
    """The setup link a letter's short code stands for, or SetupLinkError."""
    digest = setup_links.short_code_hash(text)
    user = db.session.scalar(select(User).where(User.setup_code_hash == digest)) if digest else None
    if (user is None or user.setup_code_expires_at is None or as_utc(user.setup_code_expires_at) < utcnow()
            or not user.active or not user.setup_nonce):
        raise setup_links.SetupLinkError("This code is not valid, or it has expired or been used. Check it "
                                         "against your letter, or ask your school for a new one.")
    return setup_links.make_token(secret_key, user.id, user.setup_nonce)


def students_to_set_up(school: School, grade: int) -> list[User]:
    """Active students of the grade who have never set a password, by name."""
    return list(db.session.scalars(select(User).where(
        User.school_id == school.id, User.role == "student", User.grade == grade, User.active.is_(True),
        User.password_hash.is_(None), User.erased_at.is_(None)).order_by(User.family_name, User.given_name, User.id)))


def user_for_setup_token(token: str, secret_key: str, max_age) -> User:
    user_id, nonce = setup_links.read_token(secret_key, token, max_age)
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.setup_nonce or not secrets.compare_digest(
        user.setup_nonce, nonce
    ):
        raise setup_links.SetupLinkError(
            "This setup link has already been used or replaced. Ask your school for a new one."
        )
    return user


def complete_setup(user: User, password: str) -> None:
    set_password(user, password)
    user.setup_nonce = user.setup_code_hash = user.setup_code_expires_at = None
    db.session.flush()


def change_role(user: User, role: str, *, acting_user: User) -> None:
    refuse_if_erased(user)
    if user.id == acting_user.id:
        raise AccountError("You cannot change your own role; ask another admin.")
    if role not in roles_of(user.school):
        raise AccountError(f"Unknown role: {role}")
    user.role, user.role_set_by_admin = role, True  # a roster import leaves it so
    if role != "student":
        user.grade = None
    user.session_version += 1  # new permissions take effect at the next sign-in
    db.session.flush()


def set_active(user: User, active: bool, *, acting_user: User) -> None:
    refuse_if_erased(user)
    if user.id == acting_user.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    user.deactivated_by_admin = not active  # a roster import leaves it so
    if user.active != active:
        user.active = active
        user.session_version += 1
        db.session.flush()
        if not active:
            user_deactivated.send(user, actor=acting_user)
