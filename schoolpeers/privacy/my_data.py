"""What a student receives when they ask for their data ("Download my data").

Included: everything the student told us or that describes them: the profile, interests and
languages, their requests, their mentorships with the mentor's first name (what the app shows
them), the check-ins about them as numbers, dates and topics, the feedback they gave, their mentor
profile and training if they are a mentor, and the times they asked to talk to a counselor. From the
programme: as a mentee, each mentorship's agreement, goals and progress, the questionnaires they
answered with their scores, their own exit survey and the goodbye message they received; as a
mentor, how they felt after check-ins (their notes too), the supervision sessions they attended,
their certificates, and the exit surveys and goodbye messages they wrote. From peer-support circles:
their places (which circle, its topic, where the place stands and when), the circles they led, the
sessions they were at or signed up for (which circle or workshop, when, whether they were there).

Not included, and why (the school answers these parts of an access request case by case, through
its safeguarding lead):
- mentors' private notes, worry flags and reasons: another student's confidential observations;
- the other side's exit survey, and how a mentor felt after a check-in (for the mentee): theirs;
- concerns raised by others and all concern notes: safeguarding records, which a school may
  withhold where disclosure could put a child at risk;
- circle leaders' session notes and worry ticks: the leader's confidential record for counselors;
- feedback and mood rounds after group sessions: kept with no name, so no answer can be found as
  anybody's (the export says so);
- the audit log and match scores: the school's internal records about its staff and processes.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from schoolpeers.accounts.models import Interest, Topic, User
from schoolpeers.circles.models import Circle, CircleLeader, CircleMember, GroupSession, SessionAttendance
from schoolpeers.extensions import db
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.models import DOMAINS, CheckIn, MenteeFeedback, Mentorship, SelfCheckIn
from schoolpeers.mentors.statuses import BEGUN
from schoolpeers.oversight.models import Concern
from schoolpeers.programme.models import (
    GOAL_AREAS,
    GOAL_PROGRESS,
    MEETING_FREQUENCIES,
    MENTOR_FEELINGS,
    OCCASIONS,
    RECOMMEND,
    SUPERVISION_KINDS,
    SUPERVISION_THEMES,
    WHAT_HELPED,
    Agreement,
    Certificate,
    Closure,
    ExitSurvey,
    Goal,
    GoalProgress,
    MentorFeeling,
    OutcomeMeasure,
    SupervisionAttendance,
    SupervisionSession,
)
from schoolpeers.programme.scales import SCALES
from schoolpeers.timeutil import as_utc

NOT_INCLUDED = (
    "Your mentor's private notes and whether your mentor was worried: they are your mentor's "
    "confidential notes for the counselors.",
    "Concerns raised by mentors or counselors, and counselors' notes: these safeguarding records are "
    "shared by the school's safeguarding lead, when it is safe to, if you ask them.",
    "What the other person in a mentorship answered when it ended, and how your mentor felt after "
    "your check-ins: these are theirs.",
    "The school's audit log and how matches were scored.",
    "Circle leaders' notes about sessions, and whether a leader was worried: they are the leader's "
    "confidential notes for the counselors.",
    "Your feedback after circle sessions and workshops, and your taps in the mood round: they are kept "
    "without any name, so nobody, not even the school, can tell which answers were yours.",
)


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return as_utc(value).isoformat() if isinstance(value, datetime) else value.isoformat()


def _names(items) -> list[str]:
    return [item.name for item in items]


def profile_of(student: User) -> dict:
    return {
        "given_name": student.given_name, "family_name": student.family_name, "username": student.username,
        "email": student.email, "school_roster_id": student.roster_id, "grade": student.grade,
        "birth_date": student.birth_date.isoformat() if student.birth_date else None,
        "gender": student.gender, "languages": list(student.languages or []), "interests": _names(student.interests),
        "account_created": _when(student.created_at), "last_sign_in": _when(student.last_login_at),
        "two_factor_sign_in": student.totp_enabled_at is not None,
    }


def requests_of(student: User) -> list[dict]:
    requests = db.session.scalars(select(MentorRequest).options(
        selectinload(MentorRequest.topics.and_(Topic.school_id == student.school_id)),
        selectinload(MentorRequest.interests.and_(Interest.school_id == student.school_id))).where(
        MentorRequest.school_id == student.school_id, MentorRequest.student_id == student.id)
        .order_by(MentorRequest.created_at, MentorRequest.id))
    return [{
        "asked_on": _when(r.created_at), "status": r.status, "closed_on": _when(r.closed_at),
        "support_with": _names(r.topics), "interests": _names(r.interests), "language": r.language,
        "same_gender_mentor": r.same_gender, "availability": list(r.availability or []), "note": r.note,
    } for r in requests]


def checkin_numbers(checkin: CheckIn) -> dict:
    """As numbers and dates: the mentor's notes and worries are not the student's to read."""
    return {
        "date": _when(checkin.occurred_on), "minutes": checkin.duration_minutes, "mode": checkin.mode,
        "wellbeing": checkin.wellbeing, **{name: getattr(checkin, name) for name in DOMAINS},
        "topics": _names(checkin.topics),
    }


def mentorships_of(student: User) -> list[dict]:
    mentorships = db.session.scalars(select(Mentorship).options(joinedload(Mentorship.mentor)).where(
        Mentorship.school_id == student.school_id, Mentorship.mentee_id == student.id,
        Mentorship.status.in_(BEGUN)).order_by(Mentorship.id))
    result = []
    for m in mentorships:
        checkins = db.session.scalars(select(CheckIn).options(
            selectinload(CheckIn.topics.and_(Topic.school_id == m.school_id))).where(
            CheckIn.school_id == m.school_id, CheckIn.mentorship_id == m.id, CheckIn.mentee_id == student.id)
            .order_by(CheckIn.occurred_on, CheckIn.id))
        feedback = db.session.scalars(select(MenteeFeedback).where(
            MenteeFeedback.school_id == m.school_id, MenteeFeedback.mentorship_id == m.id,
            MenteeFeedback.mentee_id == student.id).order_by(MenteeFeedback.id))
        result.append({
            "mentor": m.mentor.given_name, "status": m.status, "began_on": _when(m.began_on),
            "ended_on": _when(m.ended_at), "end_reason": m.end_reason,
            "checkins": [checkin_numbers(c) for c in checkins],
            "feedback_you_gave": [{"date": _when(f.created_at), "rating": f.rating, "comment": f.comment}
                                  for f in feedback],
            **programme_as_mentee(student, m),
        })
    return result


def _one(model, mentorship: Mentorship, *conditions):
    return db.session.scalar(select(model).where(
        model.school_id == mentorship.school_id, model.mentorship_id == mentorship.id, *conditions))


def _survey(survey: ExitSurvey | None) -> dict | None:
    if survey is None:
        return None
    return {"date": _when(survey.created_at), "how_you_got_on": survey.got_on, "how_much_it_helped": survey.helped,
            "would_recommend" if survey.side == "mentee" else "would_mentor_again": RECOMMEND.get(survey.recommend),
            "what_helped": [WHAT_HELPED.get(k, k) for k in survey.what_helped or []], "comment": survey.comment}


def _goals(mentorship: Mentorship) -> list[dict]:
    goals = list(db.session.scalars(select(Goal).where(
        Goal.school_id == mentorship.school_id, Goal.mentorship_id == mentorship.id).order_by(Goal.position)))
    progress = db.session.execute(
        select(GoalProgress.goal_id, GoalProgress.progress, CheckIn.occurred_on)
        .join(CheckIn, and_(CheckIn.id == GoalProgress.checkin_id, CheckIn.school_id == GoalProgress.school_id))
        .where(GoalProgress.school_id == mentorship.school_id, GoalProgress.goal_id.in_([g.id for g in goals]))
        .order_by(CheckIn.occurred_on, CheckIn.id)).all() if goals else []
    return [{"area": GOAL_AREAS.get(g.area, g.area), "in_your_words": g.wording,
             "progress": [{"date": _when(on), "progress": GOAL_PROGRESS.get(p, p)}
                          for goal_id, p, on in progress if goal_id == g.id]} for g in goals]


def _questionnaire(measure: OutcomeMeasure) -> dict:
    """Each answer with its question and words, as the student saw them (numbers only for a scale no
    longer known)."""
    scale = SCALES.get(measure.scale)
    answers = list(measure.answers or [])
    if scale is not None and len(answers) == len(scale.items) and all(a in scale.values for a in answers):
        shown = [{"question": item, "answer": scale.label_of(a), "value": a}
                 for item, a in zip(scale.items, answers, strict=True)]
    else:
        shown = [{"value": a} for a in answers]
    return {"when": OCCASIONS.get(measure.occasion, measure.occasion), "answered_on": _when(measure.answered_on),
            "questionnaire": scale.name if scale else measure.scale, "answers": shown, "score": measure.score}


def programme_as_mentee(student: User, mentorship: Mentorship) -> dict:
    """The programme around one of the student's mentorships: what the pair agreed, their goals, the
    student's questionnaires and exit survey, and the goodbye message they received."""
    agreement = _one(Agreement, mentorship)
    measures = db.session.scalars(select(OutcomeMeasure).where(
        OutcomeMeasure.school_id == mentorship.school_id, OutcomeMeasure.mentorship_id == mentorship.id,
        OutcomeMeasure.mentee_id == student.id).order_by(OutcomeMeasure.answered_on, OutcomeMeasure.id))
    closure = _one(Closure, mentorship)
    return {
        "agreement": None if agreement is None else {
            "how_often": MEETING_FREQUENCIES.get(agreement.how_often, agreement.how_often),
            "where": agreement.where, "ground_rules": agreement.ground_rules,
            "agreed_on": _when(agreement.agreed_on), "your_mentor_agreed": _when(agreement.mentor_agreed_at),
            "you_agreed": _when(agreement.mentee_agreed_at)},
        "goals": _goals(mentorship),
        "questionnaires": [_questionnaire(q) for q in measures],
        "your_exit_survey": _survey(_one(ExitSurvey, mentorship, ExitSurvey.side == "mentee",
                                         ExitSurvey.respondent_id == student.id)),
        "goodbye_message_from_your_mentor": None if closure is None or not closure.goodbye_for_mentee else {
            "written_on": _when(closure.goodbye_written_at), "message": closure.goodbye_for_mentee},
    }


def programme_as_mentor(student: User) -> dict:
    """A mentor's own programme records: how they felt after check-ins, supervision, certificates."""
    school_id = student.school_id
    feelings = db.session.scalars(select(MentorFeeling).where(
        MentorFeeling.school_id == school_id, MentorFeeling.mentor_id == student.id)
        .order_by(MentorFeeling.created_at, MentorFeeling.id))
    sessions = db.session.scalars(select(SupervisionSession).join(SupervisionAttendance, and_(
        SupervisionAttendance.school_id == SupervisionSession.school_id,
        SupervisionAttendance.session_id == SupervisionSession.id)).where(
        SupervisionSession.school_id == school_id, SupervisionAttendance.mentor_id == student.id)
        .order_by(SupervisionSession.held_on, SupervisionSession.id))
    certificates = db.session.scalars(select(Certificate).where(
        Certificate.school_id == school_id, Certificate.mentor_id == student.id)
        .order_by(Certificate.issued_on, Certificate.id))
    return {
        "how_you_felt_after_checkins": [{
            "date": _when(f.created_at), "feeling": MENTOR_FEELINGS.get(f.feeling, f.feeling),
            "wanted_to_talk_to_a_counselor": f.wants_to_talk, "note": f.note,
            "a_counselor_saw_it": f.seen_at is not None} for f in feelings],
        "supervision_sessions": [{
            "date": _when(s.held_on), "kind": SUPERVISION_KINDS.get(s.kind, s.kind), "minutes": s.minutes,
            "themes": [SUPERVISION_THEMES.get(t, t) for t in s.themes or []]} for s in sessions],
        "certificates": [{
            "issued_on": _when(c.issued_on), "from": _when(c.period_from), "to": _when(c.period_to),
            "checkin_minutes": c.checkin_minutes, "training_minutes": c.training_minutes,
            "supervision_minutes": c.supervision_minutes, "citation": c.citation} for c in certificates],
    }


def _mentored(student: User, mentorship: Mentorship) -> dict:
    """One mentorship the student led: that it happened, when, and their own words at its end."""
    closure = _one(Closure, mentorship)
    return {
        "status": mentorship.status, "began_on": _when(mentorship.began_on), "ended_on": _when(mentorship.ended_at),
        "your_exit_survey": _survey(_one(ExitSurvey, mentorship, ExitSurvey.side == "mentor",
                                         ExitSurvey.respondent_id == student.id)),
        "goodbye_message_you_wrote": None if closure is None or not closure.goodbye_message else {
            "written_on": _when(closure.goodbye_written_at), "message": closure.goodbye_message},
    }


def own_checkins_of(student: User) -> list[dict]:
    """The student's own check-ins, their words included: they are the student's."""
    entries = db.session.scalars(select(SelfCheckIn).where(
        SelfCheckIn.school_id == student.school_id, SelfCheckIn.mentee_id == student.id)
        .order_by(SelfCheckIn.created_at, SelfCheckIn.id))
    return [{"date": _when(e.occurred_on), "wellbeing": e.wellbeing, **{name: getattr(e, name) for name in DOMAINS},
             "note": e.note, "asked_to_talk_to_a_counselor": e.wants_counselor} for e in entries]


def mentor_profile_of(student: User) -> dict | None:
    profile = mentors.profile_for(student)
    if profile is None:
        return None
    mentored = db.session.scalars(select(Mentorship).where(
        Mentorship.school_id == student.school_id, Mentorship.mentor_id == student.id,
        Mentorship.status.in_(BEGUN)).order_by(Mentorship.id))
    modules = {m.id: m.name for m in mentors.training_modules(student.school_id)}
    return {
        "status": profile.status, "bio": profile.bio, "motivation": profile.motivation,
        "capacity": profile.capacity, "availability": list(profile.availability or []),
        "topics": _names(profile.topics), "applied_on": _when(profile.created_at),
        "certified_until": _when(profile.certified_until),
        "training": [{"module": modules.get(c.module_id), "completed_on": _when(c.completed_on)}
                     for c in profile.completions],
        # The mentees are other students: only that a mentorship happened, when, and the mentor's own words.
        "mentorships": [_mentored(student, m) for m in mentored],
        **programme_as_mentor(student),
    }


def counselor_requests_of(student: User) -> list[dict]:
    """The student's own "I want to talk to a counselor" requests: when, and whether it was picked up."""
    concerns = db.session.scalars(select(Concern).where(
        Concern.school_id == student.school_id, Concern.student_id == student.id,
        Concern.source == "mentee_request", Concern.raised_by_id == student.id).order_by(Concern.id))
    return [{"asked_on": _when(c.created_at), "status": c.status} for c in concerns]


def circle_places_of(student: User) -> list[dict]:
    """The student's places in circles: asked or invited, waiting, a member, declined or left."""
    places = db.session.scalars(select(CircleMember).options(
        joinedload(CircleMember.circle).joinedload(Circle.topic)).where(
        CircleMember.school_id == student.school_id, CircleMember.student_id == student.id)
        .order_by(CircleMember.asked_at, CircleMember.id))
    return [{"circle": p.circle.name, "topic": p.circle.topic.name, "status": p.status,
             "asked_or_invited_on": _when(p.asked_at), "placed_on": _when(p.placed_at),
             "agreed_to_the_confidentiality_agreement_on": _when(p.agreed_at), "left_on": _when(p.left_at)}
            for p in places]


def circles_led_by(student: User) -> list[dict]:
    circles = db.session.scalars(select(Circle).options(joinedload(Circle.topic)).join(CircleLeader, and_(
        CircleLeader.school_id == Circle.school_id, CircleLeader.circle_id == Circle.id)).where(
        Circle.school_id == student.school_id, CircleLeader.leader_id == student.id).order_by(Circle.id))
    return [{"circle": c.name, "topic": c.topic.name, "status": c.status} for c in circles]


def group_sessions_of(student: User) -> dict:
    """The sessions the student was at (a circle's, or a workshop), and the workshops they signed up for."""
    rows = db.session.execute(select(SessionAttendance, GroupSession).options(
        joinedload(GroupSession.circle)).join(GroupSession, and_(
        GroupSession.school_id == SessionAttendance.school_id, GroupSession.id == SessionAttendance.session_id))
        .where(SessionAttendance.school_id == student.school_id, SessionAttendance.student_id == student.id)
        .order_by(GroupSession.starts_at, GroupSession.id)).all()
    return {
        "sessions": [{"circle": s.circle.name if s.circle else None, "workshop": s.title if s.is_workshop else None,
                      "session": s.title, "when": _when(s.starts_at), "you_were_there": a.present}
                     for a, s in rows if a.present is not None],
        "workshops_you_signed_up_for": [{"workshop": s.title, "when": _when(s.starts_at), "status": s.status,
                                         "signed_up_on": _when(a.signed_up_at)}
                                        for a, s in rows if s.is_workshop and a.signed_up_at is not None],
    }


def circles_of(student: User) -> dict:
    return {"your_places": circle_places_of(student), "circles_you_led": circles_led_by(student),
            **group_sessions_of(student)}


def data_of(student: User, now: datetime) -> dict:
    return {
        "about": f"The data {student.school.name} holds about you in its peer-mentoring programme.",
        "prepared_on": _when(now),
        "school": student.school.name,
        "profile": profile_of(student),
        "mentor_requests": requests_of(student),
        "mentorships": mentorships_of(student),
        "your_own_checkins": own_checkins_of(student),
        "mentor_profile": mentor_profile_of(student),
        "asked_to_talk_to_a_counselor": counselor_requests_of(student),
        "peer_support_circles": circles_of(student),
        "not_included": list(NOT_INCLUDED),
    }
