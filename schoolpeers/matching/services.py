"""Requests for a mentor, and matching them: batch runs, single requests, manual choices.

The data is loaded in a handful of bulk queries, turned into the pure inputs of
`scoring` and `solver`, and the solver's assignments become proposed mentorships through
`mentors.services`, which guards every invariant under a row lock.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from schoolpeers.accounts.models import (
    Interest,
    ListedPerson,
    School,
    Topic,
    User,
    UserInterest,
    listed_person,
)
from schoolpeers.accounts.topics import TopicChoice
from schoolpeers.batches import rows_where_in
from schoolpeers.extensions import db
from schoolpeers.families import services as families
from schoolpeers.families.consent import Standing
from schoolpeers.matching.models import MentorRequest, RequestInterest, RequestTopic
from schoolpeers.matching.scoring import MentorInput, RequestInput, Scored, Weights, eligible_mentors
from schoolpeers.matching.solver import solve_batch
from schoolpeers.matching.statuses import LIVE, RequestStatus
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.listing import MENTEE, MENTOR, with_both_people
from schoolpeers.mentors.models import (
    AVAILABILITY_SLOTS,
    BlockedPair,
    MentorProfile,
    Mentorship,
    MentorshipEvent,
    MentorTopic,
)
from schoolpeers.mentors.services import MentorshipError
from schoolpeers.mentors.statuses import OPEN, MentorshipStatus
from schoolpeers.paging import CountedPage, counted_page
from schoolpeers.records import Into
from schoolpeers.sql_constants import constant
from schoolpeers.timeutil import utcnow

# The mentee goes back to the queue, their request open again.
REOPENING_REASONS = {"not_a_good_fit", "mentor_stepped_down", "mentor_left"}
MAX_NOTE = 1000


@dataclass(frozen=True)
class RunResult:
    proposed: list[Mentorship]
    unmatched: int
    approved: int


def weights_for(school: School) -> Weights:
    return Weights(school.weight_grade, school.weight_interests, school.weight_topics,
                   school.weight_language, school.weight_availability)


# --- requests ----------------------------------------------------------------------------------

def current_request(student: User) -> MentorRequest | None:
    """The student's open or matched request, if any (there is at most one)."""
    return db.session.scalar(current_request_query(select(MentorRequest), student.school_id, student.id))


def current_request_query(statement: Select, school_id, student_id) -> Select:
    """`statement` (of requests) narrowed to the student's open or matched one."""
    return statement.where(MentorRequest.school_id == school_id, MentorRequest.student_id == student_id,
                           MentorRequest.status.in_(LIVE))


def create_request(student: User, *, interests: list[Interest], topics: Sequence[TopicChoice], language: str | None,
                   same_gender: bool, availability: list[str], note: str,
                   created_by: User) -> MentorRequest:
    if student.role != "student" or not student.active:
        raise MentorshipError("Requests are for active students.")
    if created_by.school_id != student.school_id:
        raise MentorshipError("Requests are for students of your own school.")
    if current_request(student) is not None:
        raise MentorshipError("There is already an open request; it can be changed by withdrawing it first.")
    if any(i.school_id != student.school_id for i in interests) or any(
            t.school_id != student.school_id for t in topics):
        raise MentorshipError("Choose interests and topics from the school's lists.")
    if any(slot not in AVAILABILITY_SLOTS for slot in availability):
        raise MentorshipError("Choose times from the list.")
    if len(note) > MAX_NOTE:
        raise MentorshipError(f"The note can be at most {MAX_NOTE} characters.")
    request = MentorRequest(
        school_id=student.school_id, student_id=student.id, status=RequestStatus.OPEN,
        language=(language or "").strip().lower() or None, same_gender=same_gender,
        availability=sorted(set(availability)), note=note.strip(), created_by_id=created_by.id,
    )
    request.interest_links = [RequestInterest(school_id=student.school_id, interest_id=i)
                              for i in sorted({i.id for i in interests})]
    request.topic_links = [RequestTopic(school_id=student.school_id, topic_id=t)
                           for t in sorted({t.id for t in topics})]
    try:  # a double submit loses the race against the one-open-request index, not with a 500
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:
        raise MentorshipError("There is already an open request.") from None
    return request


def withdraw_request(request: MentorRequest, actor: User) -> None:
    if request.status != RequestStatus.OPEN:
        raise MentorshipError("Only a request still waiting for a mentor can be withdrawn.")
    proposal = request.mentorship
    if proposal is not None and proposal.status == MentorshipStatus.PROPOSED:
        mentors.reject_mentorship(proposal, actor, "The student withdrew the request.", block=False)
    request.status, request.closed_at = RequestStatus.WITHDRAWN, utcnow()
    db.session.flush()


def waiting_requests(school_id: int) -> list[MentorRequest]:
    """The queue: open requests, oldest first (a proposal may be waiting for approval)."""
    return list(db.session.scalars(queue_query(school_id)))


def proposals(school_id: int) -> list[Mentorship]:
    return list(db.session.scalars(proposals_query(school_id)))


# --- pages: one query per list, each row with what it shows -----------------------------------

def queue_query(school_id: int) -> Select:
    """The queue for paging: open requests, oldest first, with the student and any proposal."""
    return _open_requests(school_id).options(joinedload(MentorRequest.student), joinedload(MentorRequest.mentorship))


def proposals_query(school_id: int) -> Select:
    """Proposals waiting for approval, oldest first, with mentor and mentee."""
    return _proposed(school_id).options(joinedload(Mentorship.mentor), joinedload(Mentorship.mentee))


def queue_page_query(school_id: int) -> Select:
    """The queue as the matching page lists it (`QueuedRequest`s): only the columns it shows, and what
    the family's consent is decided by (grade and birth date)."""
    return _QUEUE_PAGE.params(school_id=school_id)


def proposals_page_query(school_id: int) -> Select:
    """Proposals as the matching page lists them (`ProposedMatch`es): score, explanation, and both
    people's names and grades."""
    return _PROPOSALS_PAGE.params(school_id=school_id)


def queue_page(school_id: int, page: int, per_page: int) -> CountedPage:
    """A page of `queue_page_query`, by the statement built once."""
    return counted_page(_QUEUE_PAGE, page, per_page, school_id=school_id)


def proposals_page(school_id: int, page: int, per_page: int) -> CountedPage:
    """A page of `proposals_page_query`, by the statement built once."""
    return counted_page(_PROPOSALS_PAGE, page, per_page, school_id=school_id)


def _open_requests(school_id) -> Select:
    """`school_id`: a value, or a bound parameter for a statement built once."""
    return (select(MentorRequest)
            .where(MentorRequest.school_id == school_id, MentorRequest.status == constant(RequestStatus.OPEN))
            .order_by(MentorRequest.created_at, MentorRequest.id))


def _proposed(school_id) -> Select:
    """`school_id`: a value, or a bound parameter for a statement built once."""
    return (select(Mentorship)
            .where(Mentorship.school_id == school_id, Mentorship.status == constant(MentorshipStatus.PROPOSED))
            .order_by(Mentorship.created_at, Mentorship.id))


class QueuedRequest(NamedTuple):
    """An open request as the matching page's queue shows it."""

    id: int
    created_at: datetime
    proposal_status: str | None  # the status of the mentorship proposed for it, if one was
    student: ListedPerson


class ProposedMatch(NamedTuple):
    """A proposal as the matching page shows it."""

    id: int  # the mentorship's
    score: int
    explanation: str
    mentee: ListedPerson
    mentor: ListedPerson


# Built once and given the school per call. Only the columns the page shows, read into records: as
# entities (with whole rows of people, or only some of their columns) each list cost the ORM more
# than the statement itself.
_QUEUE_PAGE = (
    _open_requests(bindparam("school_id"))
    .with_only_columns(Into(QueuedRequest, MentorRequest.id, MentorRequest.created_at, Mentorship.status,
                            listed_person()), maintain_column_froms=True)
    .join(MentorRequest.student).outerjoin(MentorRequest.mentorship))
_PROPOSALS_PAGE = with_both_people(
    _proposed(bindparam("school_id"))
    .with_only_columns(Into(ProposedMatch, Mentorship.id, Mentorship.score, Mentorship.explanation,
                            listed_person(MENTEE), listed_person(MENTOR)), maintain_column_froms=True))


def active_mentorships_query(school_id: int) -> Select:
    """Active mentorships, longest running first, with both people and any request for a change."""
    return (select(Mentorship)
            .options(joinedload(Mentorship.mentor), joinedload(Mentorship.mentee),
                     selectinload(Mentorship.events.and_(MentorshipEvent.school_id == school_id,
                                                          MentorshipEvent.kind == "change_requested")))
            .where(Mentorship.school_id == school_id, Mentorship.status == MentorshipStatus.ACTIVE)
            .order_by(Mentorship.began_on, Mentorship.id))


def count_needing_mentor(school_id: int) -> int:
    return db.session.scalar(needing_mentor_count_query(school_id)) or 0


def needing_mentor_count_query(school_id) -> Select:
    """Open requests with nothing proposed yet."""
    return select(func.count()).select_from(MentorRequest).where(
        MentorRequest.school_id == school_id, MentorRequest.status == RequestStatus.OPEN,
        MentorRequest.mentorship_id.is_(None))


class MentorLeft(NamedTuple):
    """A mentorship ended because the mentor left the school, as the dashboard lists it."""

    id: int
    ended_at: datetime
    mentee: ListedPerson
    mentor: ListedPerson


def mentor_left_page(school_id: int, since: datetime, page: int, per_page: int, *,
                     total: int | None = None) -> CountedPage:
    """A page of the mentorships ended since then because the mentor left the school (`MentorLeft`s),
    newest first: their mentees are back in the queue, and the counselor should know why. `total`:
    their number, when counted already (`mentor_left_count_query`)."""
    return counted_page(_MENTOR_LEFT, page, per_page, total=total, school_id=school_id, since=since)


def mentor_left_count_query(school_id, since) -> Select:
    return select(func.count()).select_from(Mentorship).where(*_mentor_left_since(school_id, since))


def _mentor_left_since(school_id, since) -> tuple:
    return (Mentorship.school_id == school_id, Mentorship.status == constant(MentorshipStatus.CLOSED),
            Mentorship.end_reason == constant("mentor_left"), Mentorship.ended_at >= since)


# Built once and given its values per call: the counselor's dashboard lists them on every visit.
_MENTOR_LEFT = with_both_people(
    select(Into(MentorLeft, Mentorship.id, Mentorship.ended_at, listed_person(MENTEE), listed_person(MENTOR)))
    .select_from(Mentorship)
    .where(*_mentor_left_since(bindparam("school_id"), bindparam("since")))
    .order_by(Mentorship.ended_at.desc(), Mentorship.id.desc()))


def count_proposals(school_id: int) -> int:
    return db.session.scalar(proposals_count_query(school_id)) or 0


def proposals_count_query(school_id) -> Select:
    return select(func.count()).select_from(Mentorship).where(
        Mentorship.school_id == school_id, Mentorship.status == MentorshipStatus.PROPOSED)


# --- building the solver's inputs in bulk ------------------------------------------------------

def _names_by_owner(link_model, owner_column, name_model, name_column, owner_ids, school_id) -> dict[int, set[str]]:
    result: dict[int, set[str]] = defaultdict(set)
    if not owner_ids:
        return result
    rows = db.session.execute(
        select(owner_column, name_model.name)
        .join(name_model, (name_model.school_id == link_model.school_id) & (name_model.id == name_column))
        .where(link_model.school_id == school_id, owner_column.in_(owner_ids))
    ).all()
    for owner, name in rows:
        result[owner].add(name)
    return result


def _excluded_by_mentee(school_id: int) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    for mentor_id, mentee_id in db.session.execute(
            select(BlockedPair.mentor_id, BlockedPair.mentee_id).where(BlockedPair.school_id == school_id)):
        result[mentee_id].add(mentor_id)
    return result


def slot_labels(slots) -> frozenset[str]:
    """Times in words, so that explanations read "Friday after school", not a code."""
    return frozenset(AVAILABILITY_SLOTS.get(slot, slot).lower() for slot in slots or ())


def request_inputs(school_id: int, requests: list[MentorRequest]) -> list[RequestInput]:
    ids = [r.id for r in requests]
    students = {u.id: u for u in db.session.scalars(
        select(User).where(User.school_id == school_id, User.id.in_([r.student_id for r in requests])))}
    interests = _names_by_owner(RequestInterest, RequestInterest.request_id, Interest,
                                RequestInterest.interest_id, ids, school_id)
    topics = _names_by_owner(RequestTopic, RequestTopic.request_id, Topic, RequestTopic.topic_id, ids, school_id)
    excluded = _excluded_by_mentee(school_id)
    inputs = []
    for r in requests:
        student = students[r.student_id]
        if student.grade is None:
            continue  # without a grade there is no grade window; a counselor can choose by hand
        inputs.append(RequestInput(
            request_id=r.id, student_id=student.id, school_id=school_id, grade=student.grade,
            created_order=r.id, gender=student.gender, languages=frozenset(student.languages or ()),
            interests=frozenset(interests[r.id]), topics=frozenset(topics[r.id]),
            availability=slot_labels(r.availability), language=r.language, same_gender=r.same_gender,
            excluded_mentor_ids=frozenset(excluded[student.id]),
        ))
    return inputs


def mentor_inputs(school_id: int, profiles: list[MentorProfile]) -> list[MentorInput]:
    user_ids = [p.user_id for p in profiles]
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.school_id == school_id, User.id.in_(user_ids)))}
    interests = _names_by_owner(UserInterest, UserInterest.user_id, Interest, UserInterest.interest_id,
                                user_ids, school_id)
    topics = _names_by_owner(MentorTopic, MentorTopic.profile_id, Topic, MentorTopic.topic_id,
                             [p.id for p in profiles], school_id)
    load = mentors.open_counts(school_id)
    return [
        MentorInput(
            mentor_id=p.user_id, student_id=p.user_id, school_id=school_id, grade=users[p.user_id].grade,
            capacity=p.capacity, load=load.get(p.id, 0), gender=users[p.user_id].gender,
            languages=frozenset(users[p.user_id].languages or ()), interests=frozenset(interests[p.user_id]),
            topics=frozenset(topics[p.id]), availability=slot_labels(p.availability),
        )
        for p in profiles if users[p.user_id].active and users[p.user_id].grade is not None
    ]


# --- matching ----------------------------------------------------------------------------------

def _propose(school: School, request: MentorRequest, profile: MentorProfile, score: int, explanation: str,
             parts, actor: User | None, today: date) -> Mentorship:
    mentorship = mentors.propose_mentorship(
        profile, request.student, score=score, explanation=explanation,
        parts=[{"name": p.name, "points": round(p.points, 1), "max": round(p.max_points, 1), "words": p.words}
               for p in parts],
        actor=actor, today=today)
    request.mentorship = mentorship
    if school.auto_approve_matches:
        approve(mentorship, actor, today)
    db.session.flush()
    return mentorship


def unproposed_requests(school_id: int) -> list[MentorRequest]:
    """Open requests of active students with nothing proposed yet, oldest first."""
    open_mentees = select(Mentorship.mentee_id).where(Mentorship.school_id == school_id,
                                                      Mentorship.status.in_(OPEN))
    requests = list(db.session.scalars(
        select(MentorRequest).join(User, (User.id == MentorRequest.student_id) & (User.school_id == school_id))
        .options(contains_eager(MentorRequest.student))
        .where(MentorRequest.school_id == school_id, MentorRequest.status == RequestStatus.OPEN,
               MentorRequest.student_id.not_in(open_mentees), User.active.is_(True), User.role == "student")
        .order_by(MentorRequest.created_at, MentorRequest.id)))
    allowed = may_take_part(school_id, [r.student for r in requests], "mentee")
    return [r for r in requests if r.student_id in allowed]


def waiting_for_consent(school_id: int) -> list[User]:
    """Students of open requests whose families have not agreed yet (under opt-in)."""
    students = list(db.session.scalars(
        select(User).join(MentorRequest, (MentorRequest.student_id == User.id) & (MentorRequest.school_id == school_id))
        .where(User.school_id == school_id, User.active.is_(True), MentorRequest.status == RequestStatus.OPEN)
        .order_by(MentorRequest.created_at, MentorRequest.id)))
    waiting = families.standings(school_id, students, "mentee")
    return [s for s in students if waiting[s.id] == Standing.WAITING]


def may_take_part(school_id: int, students: list[User], role: str) -> set[int]:
    """The ids of these students whose families' consent lets them take part as `role` now."""
    return {sid for sid, standing in families.standings(school_id, students, role).items() if standing.may_take_part}


def matchable_profiles(school_id: int, today: date) -> list[MentorProfile]:
    """Mentors who can take a mentee now and whose families' consent lets them."""
    profiles = mentors.matchable_profiles(school_id, today)
    users = {u.id: u for (u,) in rows_where_in(select(User).where(User.school_id == school_id), User.id,
                                               (p.user_id for p in profiles))}
    allowed = may_take_part(school_id, list(users.values()), "mentor")
    return [p for p in profiles if p.user_id in allowed]


def run_batch(school: School, actor: User | None, today: date) -> RunResult:
    """Propose the optimal set of new pairs for every request still without one."""
    requests = unproposed_requests(school.id)
    profiles = matchable_profiles(school.id, today)
    mentor_data = mentor_inputs(school.id, profiles)
    if not requests or not mentor_data:
        return RunResult([], len(requests), 0)
    assignments = solve_batch(request_inputs(school.id, requests), mentor_data, weights_for(school))
    by_request = {r.id: r for r in requests}
    by_mentor = {p.user_id: p for p in profiles}
    created = []
    for a in assignments:
        try:  # a pair that became impossible meanwhile (another counselor's choice) is skipped
            with db.session.begin_nested():
                created.append(_propose(school, by_request[a.request_id], by_mentor[a.mentor_id], a.score,
                                        a.explanation, a.parts, actor, today))
        except MentorshipError:
            continue
    approved = sum(1 for m in created if m.status == MentorshipStatus.ACTIVE)
    return RunResult(created, len(requests) - len(created), approved)


def ranked_mentors(request: MentorRequest, today: date) -> list[tuple[MentorProfile, Scored]]:
    """Every mentor who could take this request now, best first, with the score shown."""
    school = db.session.get(School, request.school_id)
    if not may_take_part(request.school_id, [request.student], "mentee"):
        return []
    profiles = matchable_profiles(request.school_id, today)
    by_mentor = {p.user_id: p for p in profiles}
    inputs = request_inputs(request.school_id, [request])
    if not inputs:
        return []
    ranked = eligible_mentors(inputs[0], mentor_inputs(request.school_id, profiles), weights_for(school))
    return [(by_mentor[m.mentor_id], scored) for m, scored in ranked]


def match_single(request: MentorRequest, actor: User | None, today: date) -> Mentorship | None:
    """Propose the best free mentor for one request at once, if there is one."""
    if request.status != RequestStatus.OPEN or (request.mentorship and request.mentorship.is_open):
        return None
    ranked = ranked_mentors(request, today)
    if not ranked:
        return None
    profile, scored = ranked[0]
    return _propose(db.session.get(School, request.school_id), request, profile, scored.score,
                    scored.explanation, scored.parts, actor, today)


def choose_mentor(request: MentorRequest, profile: MentorProfile, actor: User, today: date) -> Mentorship:
    """A counselor's manual choice, replacing a waiting proposal for the request."""
    if request.status != RequestStatus.OPEN:
        raise MentorshipError("This request is no longer waiting for a mentor.")
    check_consent(request.student, profile.user)
    ranked = {p.id: scored for p, scored in ranked_mentors(request, today)}
    if profile.id not in ranked:
        raise MentorshipError(mentors.why_not_pair(profile, request.student, today)
                              or "This mentor does not fit the student's preferences or grade window.")
    current = request.mentorship
    if current is not None and current.status == MentorshipStatus.PROPOSED:
        mentors.reject_mentorship(current, actor, "Replaced by a counselor's choice.", block=False)
    scored = ranked[profile.id]
    return _propose(db.session.get(School, request.school_id), request, profile, scored.score,
                    scored.explanation, scored.parts, actor, today)


def request_of(mentorship: Mentorship) -> MentorRequest | None:
    return db.session.scalar(select(MentorRequest).where(
        MentorRequest.school_id == mentorship.school_id, MentorRequest.mentorship_id == mentorship.id))


def check_consent(mentee: User, mentor: User) -> None:
    """Refuse a pair where either family's consent does not (or no longer) let them take part."""
    for student, role in ((mentee, "mentee"), (mentor, "mentor")):
        standing = families.standing_of(student, role)
        if not standing.may_take_part:
            raise MentorshipError(f"{student.display_name}: {standing.label.lower()} to take part as a {role}.")


def approve(mentorship: Mentorship, actor: User | None, today: date) -> None:
    """The mentorship begins (if both families' consent still lets it); the mentee's family is told
    the mentor's first name."""
    check_consent(mentorship.mentee, mentorship.mentor)
    mentors.approve_mentorship(mentorship, actor, today)
    request = request_of(mentorship)
    if request is not None:
        request.status = RequestStatus.MATCHED
    families.tell_families(mentorship.mentee, "matched", mentorship.mentor.given_name)
    db.session.flush()


def reject(mentorship: Mentorship, actor: User | None, note: str, *, block: bool = True) -> None:
    """The student stays in the queue; this pair is not proposed again (unless `block` is False)."""
    mentors.reject_mentorship(mentorship, actor, note, block=block)
    request = request_of(mentorship)
    if request is not None:
        request.mentorship = None
    db.session.flush()


def end_mentorship(mentorship: Mentorship, reason: str, note: str, actor: User | None, *,
                   reopen: bool | None = None) -> None:
    """End an active mentorship; the mentee's request opens again for the reasons that are not the
    mentee's (or as `reopen` says), and is closed otherwise. The mentee's family is told it ended,
    unless it ended for safeguarding: whether and how to tell a family is then a counselor's call."""
    mentors.close_mentorship(mentorship, reason, note, actor)
    if reason != "safeguarding":
        families.tell_families(mentorship.mentee, "ended", mentorship.mentor.given_name)
    request = request_of(mentorship)
    if request is not None:
        if reason in REOPENING_REASONS if reopen is None else reopen:
            request.status, request.mentorship = RequestStatus.OPEN, None
        else:
            request.status, request.closed_at = RequestStatus.CLOSED, utcnow()
    db.session.flush()
