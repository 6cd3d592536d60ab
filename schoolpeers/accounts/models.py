"""Schools, users and the per-school catalogues of interests and topics."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolpeers.extensions import db
from schoolpeers.records import Into
from schoolpeers.timeutil import utcnow

ROLES = ("student", "counselor", "staff", "admin")  # the roles of a school
# The roles of a district's office: they see the district's schools, never a student (districts/).
DISTRICT_ROLES = ("district_admin", "district_analyst")
ADULT_ROLES = frozenset({"counselor", "staff", "admin", *DISTRICT_ROLES})
ROLE_LABELS = {"student": "Student", "counselor": "Counselor", "staff": "Staff", "admin": "Admin",
               "district_admin": "District admin", "district_analyst": "District analyst"}
SCHOOL_KINDS = ("school", "district_office")  # an office holds a district's own people, no students
MIN_GROUP_SIZE = 5  # reports never show a cell of fewer students, whatever a school sets
# The last day of teaching is a day of every year: 29 February is not one.
TEACHING_ENDS_REAL_DAY = (
    "teaching_ends_month BETWEEN 1 AND 12 AND teaching_ends_day >= 1 AND teaching_ends_day <= "
    "CASE WHEN teaching_ends_month = 2 THEN 28 WHEN teaching_ends_month IN (4, 6, 9, 11) THEN 30 ELSE 31 END")


class District(db.Model):
    """A district owns schools. Its settings are floors its schools may tighten, never loosen: the
    smallest report group (k), the longest retention, two-factor sign-in for every adult."""

    __tablename__ = "districts"
    __table_args__ = (
        CheckConstraint(f"min_group_size >= {MIN_GROUP_SIZE}", name="district_min_group_size_floor"),
        CheckConstraint("retention_days BETWEEN 30 AND 3650", name="district_retention_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    min_group_size: Mapped[int] = mapped_column(Integer, default=MIN_GROUP_SIZE)
    retention_days: Mapped[int] = mapped_column(Integer, default=365)
    two_factor_all_adults: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<District {self.slug}>"


def new_topics_version() -> str:
    return secrets.token_hex(8)


class School(db.Model):
    __tablename__ = "schools"
    __table_args__ = (
        CheckConstraint("kind IN ('school', 'district_office')", name="school_kind_known"),
        CheckConstraint("kind = 'school' OR district_id IS NOT NULL", name="office_of_a_district"),
        # A district's office is one row per district (a school's district_id may repeat).
        Index("uq_schools_one_office_per_district", "district_id", unique=True,
              sqlite_where=text("kind = 'district_office'"), postgresql_where=text("kind = 'district_office'")),
        CheckConstraint(f"min_group_size >= {MIN_GROUP_SIZE}", name="min_group_size_floor"),
        CheckConstraint("grade_min <= grade_max", name="grade_range"),
        CheckConstraint("erasure_mode IN ('unlink', 'delete')", name="erasure_mode_known"),
        CheckConstraint("report_protection IN ('cell_key', 'differential_privacy')", name="report_protection_known"),
        CheckConstraint("dp_epsilon_per_year > 0 AND dp_epsilon_per_year <= 10", name="dp_epsilon_range"),
        CheckConstraint("roster_deactivation_limit_percent BETWEEN 0 AND 100", name="roster_limit_range"),
        CheckConstraint("supervision_every_days BETWEEN 7 AND 365", name="supervision_every_range"),
        CheckConstraint(TEACHING_ENDS_REAL_DAY, name="teaching_ends_real_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # A school, or the office of a district (where its district admins and analysts have accounts).
    kind: Mapped[str] = mapped_column(String(20), default="school", server_default="school")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    # Archived: read-only for everyone, and retention runs as if every mentorship had closed then.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Whether the school's people may sign in with a password (besides the district's single sign-on).
    password_sign_in: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    two_factor_all_adults: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    grade_min: Mapped[int] = mapped_column(Integer, default=6)
    grade_max: Mapped[int] = mapped_column(Integer, default=12)
    # Matching weights (relative; the scorer normalises them to 100).
    weight_grade: Mapped[int] = mapped_column(Integer, default=30)
    weight_interests: Mapped[int] = mapped_column(Integer, default=30)
    weight_topics: Mapped[int] = mapped_column(Integer, default=25)
    weight_language: Mapped[int] = mapped_column(Integer, default=5)
    weight_availability: Mapped[int] = mapped_column(Integer, default=10)
    auto_approve_matches: Mapped[bool] = mapped_column(Boolean, default=False)
    min_group_size: Mapped[int] = mapped_column(Integer, default=MIN_GROUP_SIZE)
    # A roster import that would deactivate more than this share of active students waits for the
    # admin to confirm the number.
    roster_deactivation_limit_percent: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    # The school's sourcedId in a OneRoster bundle's orgs.csv: which users of a district's file are ours.
    roster_org_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    # How reports are protected: cell keys (every period, see reports/privacy.py) or differential
    # privacy (closed terms and years only, spending dp_epsilon_per_year, see reports/differential.py).
    report_protection: Mapped[str] = mapped_column(String(20), default="cell_key", server_default="cell_key")
    dp_epsilon_per_year: Mapped[float] = mapped_column(Float, default=1.0, server_default="1.0")
    checkin_cadence_days: Mapped[int] = mapped_column(Integer, default=14)
    # Whether mentors see the face their mentee chose in a self check-in (never the note).
    mentor_sees_self_rating: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # A certified mentor without supervision for this many days shows on the counselors' dashboard.
    supervision_every_days: Mapped[int] = mapped_column(Integer, default=42, server_default="42")
    # The last day of teaching of each school year (month and day): the end-of-mentorship
    # questionnaire is asked in the 30 days up to it, not in the holidays after it.
    teaching_ends_month: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    teaching_ends_day: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    ack_deadline_minutes: Mapped[int] = mapped_column(Integer, default=60)
    # A new random token whenever the school's topics change (`accounts.topics`): pages keep the topic
    # list per token, read with the person, instead of asking for it on every visit. Random, so that a
    # token a rolled-back change drew never names other topics later.
    topics_version: Mapped[str] = mapped_column(String(16), default=new_topics_version, server_default="0")
    # How many of the school's check-ins were ever deleted (on erasure), counted by a database trigger
    # on every delete, however made: with the highest id it tells the reports that their data changed,
    # where counting the school's check-ins on every report cost a scan of all of them.
    checkins_deleted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    crisis_contact: Mapped[str] = mapped_column(Text, default="")
    retention_days: Mapped[int] = mapped_column(Integer, default=365)
    # On erasure of a student: "unlink" keeps their numeric check-in rows (free text removed) under an
    # anonymous record for reports; "delete" removes them.
    erasure_mode: Mapped[str] = mapped_column(String(10), default="unlink", server_default="unlink")
    designated_lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    district: Mapped[District | None] = relationship()

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<School {self.slug}>"


class UserInterest(db.Model):
    """A student's interest. Child rows carry school_id too, so the database can shard by school."""

    __tablename__ = "user_interests"

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    interest_id: Mapped[int] = mapped_column(
        ForeignKey("interests.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("school_id", "roster_id"),
        # Lets child tables prove with a composite foreign key that a user is of their school.
        UniqueConstraint("school_id", "id", name="uq_users_school_id_id"),
        CheckConstraint("role IN ('student', 'counselor', 'staff', 'admin', 'district_admin', 'district_analyst')",
                        name="role_known"),
        Index("ix_users_school_role", "school_id", "role"),
        Index("ix_users_school_family_name", "school_id", "family_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    roster_id: Mapped[str | None] = mapped_column(String(100))
    # An admin deactivated the account by hand: a roster import leaves it inactive.
    # Reminders (check-ins due, tomorrow's meeting, the counselors' digest) by mail, or on the home page only.
    reminders_by_mail: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    deactivated_by_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # An admin set the role by hand: a roster import leaves it unless the admin confirms otherwise.
    role_set_by_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    username: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    grade: Mapped[int | None] = mapped_column(Integer)
    birth_date: Mapped[date | None] = mapped_column(Date)  # from the roster, when the school sends it
    gender: Mapped[str | None] = mapped_column(String(20))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # when they last left
    # Bumped on deactivation or password change: every older session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # A fresh random value per setup link; cleared when used, so each link works once.
    setup_nonce: Mapped[str | None] = mapped_column(String(64))
    # A setup letter's short code, typed instead of following the link: only its hash, until it expires.
    setup_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    setup_code_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Two-factor sign-in: the TOTP secret, sealed (accounts/secret_box.py), in force once a first code
    # confirms it. Read and written only through accounts/two_factor.py.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The 30-second step of the last code accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Set when a student's personal data was erased on request; the row stays as an anonymous record.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    school: Mapped[School] = relationship(foreign_keys=[school_id])
    interest_links: Mapped[list[UserInterest]] = relationship(cascade="all, delete-orphan")
    # Read-only view of the same rows; write through accounts.services.set_interests.
    interests: Mapped[list[Interest]] = relationship(
        secondary="user_interests", order_by="Interest.name", viewonly=True
    )

    @property
    def display_name(self) -> str:
        return full_name(self.given_name, self.family_name)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_adult(self) -> bool:
        return self.role in ADULT_ROLES

    def get_id(self) -> str:
        # The session stores school, id and version: the school lets loading the person go to their
        # school's rows alone (one shard when sharded by school); bumping the version logs out
        # every old session.
        return f"{self.school_id}:{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


NAME_COLUMNS = (User.given_name, User.family_name)  # all a list loads of a person: its display_name


def full_name(given_name: str, family_name: str) -> str:
    return f"{given_name} {family_name}"


class ListedPerson(NamedTuple):
    """A person as a list shows them, read without the rest of the account (`listed_person`)."""

    id: int
    given_name: str
    family_name: str
    grade: int | None
    birth_date: date | None  # with the grade, whose family must consent

    @property
    def display_name(self) -> str:
        return full_name(self.given_name, self.family_name)


def listed_person(user: type[User] = User) -> Into:
    """The columns of a `ListedPerson` of `user` (the User class, or an alias of it)."""
    return Into(ListedPerson, user.id, user.given_name, user.family_name, user.grade, user.birth_date)


class RecoveryCode(db.Model):
    """A one-use code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


APPROVAL_KINDS = ("grant_counselor", "reset_two_factor", "setup_link")


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class AccountApproval(db.Model):
    """A change an admin asked for that would let someone read what counselors read: granting the
    counselor role, resetting a counselor's or admin's two-factor sign-in, a setup link for an
    account that has a password. Nothing changes until a counselor approves (accounts/approvals.py)."""

    __tablename__ = "account_approvals"
    __table_args__ = (
        CheckConstraint("kind IN ('grant_counselor', 'reset_two_factor', 'setup_link')", name="kind_known"),
        CheckConstraint(f"status IN {tuple(s.value for s in ApprovalStatus)}", name="status_known"),
        CheckConstraint("decided_by_id IS NULL OR decided_by_id <> requested_by_id", name="second_person"),
        ForeignKeyConstraint(["school_id", "user_id"], ["users.school_id", "users.id"], ondelete="CASCADE",
                             name="fk_account_approvals_user_same_school"),
        # One open request per account and kind: asking twice does not make two.
        Index("uq_account_approvals_one_pending", "school_id", "user_id", "kind", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=ApprovalStatus.PENDING.value)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(foreign_keys=[user_id], primaryjoin="AccountApproval.user_id == User.id")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class SignInThrottle(db.Model):
    """Failed sign-ins counted under one key (an account, an account from one address, or an
    account's codes) and how long that key must wait (accounts/throttles.py). The key is a keyed hash:
    no address or login is stored, and a key may stand for a login that names nobody, so there is no
    school to scope it by. Rows quiet for a day are purged by `flask retention purge`."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    wait_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RosterUpload(db.Model):
    """A roster file an admin uploaded and is checking: kept here between the check and the import
    (not sent back and forth through the browser), readable only by its uploader, deleted after."""

    __tablename__ = "roster_uploads"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)  # random: the form's only reference
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # What the check found: students the import would deactivate, and whether that needs the number typed.
    deactivations: Mapped[int] = mapped_column(Integer, default=0)
    confirmation_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


GUARDIAN_RELATIONSHIPS = ("parent", "guardian", "relative", "carer")
GUARDIAN_SOURCES = ("roster", "staff")


class Guardian(db.Model):
    """A parent, guardian, relative or carer of students: a contact, never an account. From the
    school information system (`source` "roster", with its roster id and the students it links by
    roster id) or typed by staff. `students` are the links the family features use."""

    __tablename__ = "guardians"
    __table_args__ = (
        UniqueConstraint("school_id", "roster_id"),
        UniqueConstraint("school_id", "id", name="uq_guardians_school_id_id"),
        CheckConstraint("source IN ('roster', 'staff')", name="source_known"),
        CheckConstraint("source = 'staff' OR roster_id IS NOT NULL", name="roster_has_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    source: Mapped[str] = mapped_column(String(10), default="roster")
    roster_id: Mapped[str | None] = mapped_column(String(100))
    relationship_kind: Mapped[str] = mapped_column(String(20))  # one of GUARDIAN_RELATIONSHIPS
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    student_roster_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # as the roster lists them
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    links: Mapped[list[GuardianStudent]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class GuardianStudent(db.Model):
    """A guardian's link to a student of the same school (proved by the composite keys)."""

    __tablename__ = "guardian_students"
    __table_args__ = (
        ForeignKeyConstraint(["school_id", "guardian_id"], ["guardians.school_id", "guardians.id"],
                             ondelete="CASCADE", name="fk_guardian_students_guardian_same_school"),
        ForeignKeyConstraint(["school_id", "student_id"], ["users.school_id", "users.id"], ondelete="CASCADE",
                             name="fk_guardian_students_student_same_school"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    guardian_id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(primary_key=True, index=True)


class Interest(db.Model):
    """Something a student enjoys; shared interests help a pairing click."""

    __tablename__ = "interests"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))


class Topic(db.Model):
    """Something a mentee wants support with, and a mentor may offer to cover."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))


DEFAULT_INTERESTS = (
    "art and drawing", "basketball", "board games", "books and reading", "coding", "cooking",
    "dance", "drama and theatre", "fashion", "football", "gaming", "hiking and outdoors",
    "languages", "maths puzzles", "music (listening)", "music (playing)", "nature and animals",
    "photography", "science", "skateboarding", "social media and video", "swimming", "volunteering",
    "writing", "anime and manga", "film and tv", "history", "martial arts", "running", "crafts",
)

DEFAULT_TOPICS = (
    "settling into a new school", "friendships", "exam stress", "organising homework",
    "confidence", "bullying", "family changes", "choosing subjects", "sport and clubs",
    "online life", "feeling lonely", "motivation",
)


@event.listens_for(User.active, "set")
def _note_when_an_account_leaves(user: User, value, old, _initiator) -> None:
    """However an account is deactivated (an admin, a roster import, an erasure), when is kept:
    retention counts from it."""
    if value is False and old is not False:
        user.deactivated_at = utcnow()
    elif value:
        user.deactivated_at = None
