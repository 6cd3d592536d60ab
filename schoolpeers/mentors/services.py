"""Mentor profiles, training and the mentorship lifecycle. Plain functions; the caller commits.

Every change to a mentorship appends a MentorshipEvent. Creating or approving a mentorship
locks the mentor's profile row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises
writers), so that concurrent requests can never overfill a mentor.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.models import User
from schoolpeers.accounts.topics import TopicChoice
from schoolpeers.extensions import db
from schoolpeers.mentors.models import (
    AVAILABILITY_SLOTS,
    DEFAULT_TRAINING_MODULES,
    END_REASONS,
    BlockedPair,
    MentorProfile,
    Mentorship,
    MentorshipEvent,
    MentorTopic,
    TrainingCompletion,
    TrainingModule,
)
from schoolpeers.mentors.signals import mentorship_closed
from schoolpeers.mentors.statuses import ACCEPTED, OPEN, MentorshipStatus, ProfileStatus
from schoolpeers.timeutil import today_in, utcnow

MAX_CAPACITY = 5
EXPIRY_WARNING_DAYS = 30


class MentorshipError(ValueError):
    """The change cannot be made; the message says why, for the counselor or student."""


# --- profiles and training ----------------------------------------------------------------------

def school_year_end(day: date) -> date:
    """Training is valid for one school year: until the 31 August that ends it."""
    return date(day.year + 1 if day.month >= 9 else day.year, 8, 31)


def training_modules(school_id: int) -> list[TrainingModule]:
    return list(db.session.scalars(
        select(TrainingModule).where(TrainingModule.school_id == school_id).order_by(TrainingModule.position)
    ))


def ensure_training_modules(school_id: int) -> list[TrainingModule]:
    """The school's modules, created with sensible defaults when the first mentor is accepted."""
    modules = training_modules(school_id)
    if modules:
        return modules
    try:
        with db.session.begin_nested():
            db.session.add_all(TrainingModule(school_id=school_id, name=name, description=text, position=n)
                               for n, (name, text) in enumerate(DEFAULT_TRAINING_MODULES))
    except IntegrityError:
        pass  # another request created them a moment ago
    return training_modules(school_id)


def _insert_or_refuse(record, message: str) -> None:
    """Add and flush in a savepoint; a unique key taken by a concurrent request becomes a clear refusal."""
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        raise MentorshipError(message) from None


def profile_for(user: User) -> MentorProfile | None:
    return db.session.scalar(select(MentorProfile).where(
        MentorProfile.school_id == user.school_id, MentorProfile.user_id == user.id))


def is_mentor(profile: MentorProfile | None) -> bool:
    """An accepted peer mentor, taking mentees now or paused."""
    return profile is not None and is_mentor_status(profile.status)


def is_mentor_status(status: str | None) -> bool:
    """`is_mentor` of a profile with this status (None: no profile)."""
    return status in ACCEPTED


def profile_status_query(school_id, user_id) -> Select:
    """The status of the user's mentor profile (no row: none)."""
    return select(MentorProfile.status).where(MentorProfile.school_id == school_id, MentorProfile.user_id == user_id)


def _check_profile_values(capacity: int, availability: list[str], topics: Sequence[TopicChoice],
                          school_id: int) -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise MentorshipError(f"Capacity must be between 1 and {MAX_CAPACITY} mentees.")
    if any(slot not in AVAILABILITY_SLOTS for slot in availability):
        raise MentorshipError("Choose times from the list.")
    if any(t.school_id != school_id for t in topics):
        raise MentorshipError("Choose topics from your school's list.")


def _set_topics(profile: MentorProfile, topics: Sequence[TopicChoice]) -> None:
    unique = {t.id: t for t in topics}
    profile.topic_links = [MentorTopic(school_id=profile.school_id, topic_id=t) for t in sorted(unique)]


def apply_to_mentor(student: User, *, bio: str, motivation: str, capacity: int,
                    topics: Sequence[TopicChoice], availability: list[str]) -> MentorProfile:
    if student.role != "student":
        raise MentorshipError("Only students can apply to become peer mentors.")
    existing = profile_for(student)
    if existing is not None and existing.status != ProfileStatus.DECLINED:
        raise MentorshipError("You have already applied to become a mentor.")
    _check_profile_values(capacity, availability, topics, student.school_id)
    profile = existing or MentorProfile(school_id=student.school_id, user_id=student.id)
    profile.status, profile.bio, profile.motivation = ProfileStatus.APPLIED, bio.strip(), motivation.strip()
    profile.capacity, profile.availability = capacity, sorted(set(availability))
    _insert_or_refuse(profile, "You have already applied to become a mentor.")
    _set_topics(profile, topics)
    db.session.flush()
    return profile


def update_profile(profile: MentorProfile, *, bio: str, capacity: int, topics: Sequence[TopicChoice],
                   availability: list[str]) -> None:
    _check_profile_values(capacity, availability, topics, profile.school_id)
    lock_profile(profile)
    if capacity < open_count(profile):
        raise MentorshipError("You already have more mentees than that; a counselor can help you hand one over.")
    profile.bio, profile.capacity, profile.availability = bio.strip(), capacity, sorted(set(availability))
    _set_topics(profile, topics)
    db.session.flush()


def decide_application(profile: MentorProfile, accept: bool, counselor: User, today: date | None = None) -> None:
    """Accept or decline an application; an accepted one keeps the day (`today`, the date at the
    school unless given), from which its supervision is due."""
    if profile.status != ProfileStatus.APPLIED:
        raise MentorshipError("This application has already been decided.")
    profile.status = ProfileStatus.ACTIVE if accept else ProfileStatus.DECLINED
    profile.decided_by_id = counselor.id
    if accept:
        profile.accepted_on = today or today_in(counselor.school.timezone)
        ensure_training_modules(profile.school_id)
    db.session.flush()


def set_paused(profile: MentorProfile, paused: bool) -> None:
    """Idempotent: asking twice for the same state changes nothing."""
    if profile.status not in ACCEPTED:
        raise MentorshipError("Only accepted mentors can be paused or resumed.")
    profile.status = ProfileStatus.PAUSED if paused else ProfileStatus.ACTIVE
    db.session.flush()


def record_completion(profile: MentorProfile, module: TrainingModule, day: date, counselor: User) -> None:
    if module.school_id != profile.school_id:
        raise MentorshipError("That module is not part of this school's training.")
    if any(c.module_id == module.id for c in profile.completions):
        return  # already recorded: recording twice changes nothing
    try:
        with db.session.begin_nested():
            profile.completions.append(TrainingCompletion(
                school_id=profile.school_id, module_id=module.id, completed_on=day, recorded_by_id=counselor.id,
            ))
    except IntegrityError:
        db.session.expire(profile, ["completions"])  # recorded by a concurrent request: same outcome


def missing_modules(profile: MentorProfile) -> list[TrainingModule]:
    """The mentoring modules still to complete: certification needs them all (a circle-leader module
    is extra)."""
    done = {c.module_id for c in profile.completions}
    return [m for m in training_modules(profile.school_id) if m.purpose == "mentoring" and m.id not in done]


def certify(profile: MentorProfile, counselor: User, today: date, until: date | None = None) -> None:
    if profile.status not in ACCEPTED:
        raise MentorshipError("Accept the application before certifying.")
    missing = missing_modules(profile)
    if missing:
        raise MentorshipError("Training is not complete: " + ", ".join(m.name for m in missing) + ".")
    until = until or school_year_end(today)
    if until <= today:
        raise MentorshipError("Certification must be valid beyond today.")
    if until > school_year_end(today):
        raise MentorshipError(f"Training is valid for one school year: until {school_year_end(today):%d %B %Y} "
                              "at the latest.")
    profile.certified_until, profile.certified_by_id = until, counselor.id
    db.session.flush()


def _expiring_query(school_id, today, until) -> Select:
    return select(MentorProfile).where(
        MentorProfile.school_id == school_id, MentorProfile.status.in_(ACCEPTED),
        MentorProfile.certified_until >= today, MentorProfile.certified_until <= until)


def expiring_soon(school_id: int, today: date, days: int = EXPIRY_WARNING_DAYS,
                  limit: int | None = None) -> list[MentorProfile]:
    """The soonest to expire first, with their user; `limit` caps the list (a whole cohort
    certified together expires on the same day)."""
    return list(db.session.scalars(
        _expiring_query(school_id, today, expiry_warning_until(today, days)).options(joinedload(MentorProfile.user))
        .order_by(MentorProfile.certified_until, MentorProfile.id).limit(limit)))


def count_expiring_soon(school_id: int, today: date, days: int = EXPIRY_WARNING_DAYS) -> int:
    return db.session.scalar(expiring_soon_count_query(school_id, today, expiry_warning_until(today, days))) or 0


def expiry_warning_until(today: date, days: int = EXPIRY_WARNING_DAYS) -> date:
    """The last day on which an expiring certificate is warned of from today."""
    return today + timedelta(days=days)


def expiring_soon_count_query(school_id, today, until) -> Select:
    """Each argument a value, or a bound parameter for a statement built once."""
    return select(func.count()).select_from(_expiring_query(school_id, today, until).subquery())


def profiles_page_query(school_id: int) -> Select:
    """The school's mentor profiles with their user, applications first (for paging)."""
    return (select(MentorProfile).options(joinedload(MentorProfile.user))
            .where(MentorProfile.school_id == school_id).order_by(MentorProfile.status, MentorProfile.id))


def matchable_profiles(school_id: int, today: date) -> list[MentorProfile]:
    """Accepted, active, certified and unexpired: the only mentors matching may propose."""
    return list(db.session.scalars(
        select(MentorProfile).where(
            MentorProfile.school_id == school_id, MentorProfile.status == ProfileStatus.ACTIVE,
            MentorProfile.certified_until >= today,
        ).order_by(MentorProfile.id)
    ))


def open_count(profile: MentorProfile) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Mentorship).where(
            Mentorship.school_id == profile.school_id, Mentorship.profile_id == profile.id,
            Mentorship.status.in_(OPEN))
    ) or 0


def open_counts(school_id: int, profile_ids: list[int] | None = None) -> dict[int, int]:
    """Open mentorships per mentor profile: of the whole school, or of `profile_ids` (one page)."""
    query = select(Mentorship.profile_id, func.count()).where(
        Mentorship.school_id == school_id, Mentorship.status.in_(OPEN))
    if profile_ids is not None:
        query = query.where(Mentorship.profile_id.in_(profile_ids))
    return dict(db.session.execute(query.group_by(Mentorship.profile_id)).all())


def lock_profile(profile: MentorProfile) -> MentorProfile:
    """Hold the mentor's row until commit, so capacity checks cannot interleave."""
    return db.session.scalar(
        select(MentorProfile).where(MentorProfile.school_id == profile.school_id, MentorProfile.id == profile.id)
        .with_for_update().execution_options(populate_existing=True)
    )


def blocked_mentor_ids(mentee: User) -> set[int]:
    return set(db.session.scalars(select(BlockedPair.mentor_id).where(
        BlockedPair.school_id == mentee.school_id, BlockedPair.mentee_id == mentee.id)))


# --- the mentorship lifecycle ------------------------------------------------------------------

def _event(mentorship: Mentorship, kind: str, actor: User | None, reason: str | None = None,
           note: str = "") -> None:
    db.session.add(MentorshipEvent(school_id=mentorship.school_id, mentorship_id=mentorship.id, kind=kind,
                                   actor_id=actor.id if actor else None, reason=reason, note=note))


def why_not_pair(profile: MentorProfile, mentee: User, today: date, *,
                 proposal: Mentorship | None = None) -> str | None:
    """Why this mentor cannot take this mentee now, in words; None if they can. For a `proposal`
    being approved, its own place is not counted against the mentor's capacity."""
    mentor = profile.user
    if profile.school_id != mentee.school_id:
        return "The mentor and the student must be at the same school."
    if mentor.id == mentee.id:
        return "A student cannot mentor themselves."
    if not mentee.active or mentee.role != "student":
        return "The student is no longer active."
    if not mentor.active:
        return f"{mentor.given_name} is no longer active."
    if profile.status != ProfileStatus.ACTIVE:
        return f"{mentor.given_name} is not an active mentor (status: {profile.status})."
    if not profile.is_certified_on(today):
        return f"{mentor.given_name}'s training certificate is missing or expired."
    if mentor.id in blocked_mentor_ids(mentee):
        return "This pair has been blocked or was not a good fit before."
    if open_count(profile) - (proposal is not None) >= profile.capacity:
        return f"{mentor.given_name} has no free place (capacity {profile.capacity})."
    return None


def propose_mentorship(profile: MentorProfile, mentee: User, *, score: int, explanation: str,
                       parts: list, actor: User | None, today: date) -> Mentorship:
    lock_profile(profile)
    problem = why_not_pair(profile, mentee, today)
    if problem:
        raise MentorshipError(problem)
    mentorship = Mentorship(school_id=profile.school_id, profile_id=profile.id, mentor_id=profile.user_id,
                            mentee_id=mentee.id, status=MentorshipStatus.PROPOSED, score=score, explanation=explanation,
                            score_parts=parts)
    _insert_or_refuse(mentorship, f"{mentee.given_name} already has a mentor or a proposal waiting.")
    _event(mentorship, "proposed", actor, note=explanation)
    db.session.flush()
    return mentorship


def approve_mentorship(mentorship: Mentorship, actor: User, today: date) -> None:
    profile = lock_profile(mentorship.profile)
    db.session.refresh(mentorship)
    if mentorship.status != MentorshipStatus.PROPOSED:
        raise MentorshipError(f"This proposal is already {mentorship.status}.")
    if problem := why_not_pair(profile, mentorship.mentee, today, proposal=mentorship):  # what changed since
        raise MentorshipError(f"{problem} Reject this proposal or choose another mentor.")
    mentorship.status, mentorship.began_on, mentorship.decided_at = MentorshipStatus.ACTIVE, today, utcnow()
    _event(mentorship, "approved", actor)
    db.session.flush()


def reject_mentorship(mentorship: Mentorship, actor: User | None, note: str, *, block: bool = True) -> None:
    """A counselor's no: the pair is not proposed again (block=False when a student withdraws)."""
    if mentorship.status != MentorshipStatus.PROPOSED:
        raise MentorshipError(f"This proposal is already {mentorship.status}.")
    mentorship.status, mentorship.decided_at = MentorshipStatus.REJECTED, utcnow()
    if block:
        block_pair(mentorship.school_id, mentorship.mentor_id, mentorship.mentee_id, actor, "rejected")
    _event(mentorship, "rejected", actor, note=note.strip())
    db.session.flush()


def close_mentorship(mentorship: Mentorship, reason: str, note: str, actor: User) -> None:
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise MentorshipError("Only an active mentorship can be ended.")
    if reason not in END_REASONS:
        raise MentorshipError("Choose a reason from the list.")
    mentorship.status, mentorship.end_reason, mentorship.ended_at = MentorshipStatus.CLOSED, reason, utcnow()
    if reason == "not_a_good_fit":
        block_pair(mentorship.school_id, mentorship.mentor_id, mentorship.mentee_id, actor, reason)
    _event(mentorship, "closed", actor, reason=reason, note=note.strip())
    db.session.flush()
    mentorship_closed.send(mentorship)


def block_pair(school_id: int, mentor_id: int, mentee_id: int, actor: User | None,
               reason: str = "blocked") -> None:
    """Idempotent; a waiting proposal of the pair is rejected with it."""
    exists = db.session.scalar(select(BlockedPair.id).where(
        BlockedPair.school_id == school_id, BlockedPair.mentor_id == mentor_id, BlockedPair.mentee_id == mentee_id))
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(BlockedPair(school_id=school_id, mentor_id=mentor_id, mentee_id=mentee_id,
                                           reason=reason, created_by_id=actor.id if actor else None))
        except IntegrityError:
            pass  # blocked by a concurrent request: same outcome
    waiting = db.session.scalar(select(Mentorship).where(
        Mentorship.school_id == school_id, Mentorship.mentor_id == mentor_id, Mentorship.mentee_id == mentee_id,
        Mentorship.status == MentorshipStatus.PROPOSED))
    if waiting is not None:
        waiting.status, waiting.decided_at = MentorshipStatus.REJECTED, utcnow()
        _event(waiting, "rejected", actor, note="The pair was blocked.")
    db.session.flush()


def ask_for_change(mentorship: Mentorship, student: User, note: str) -> None:
    """The mentee asks a counselor to end or change the mentorship."""
    if mentorship.mentee_id != student.id or mentorship.status != MentorshipStatus.ACTIVE:
        raise MentorshipError("You can only ask about your own active mentorship.")
    _event(mentorship, "change_requested", student, note=note.strip())
    db.session.flush()

